#!/usr/bin/env node
// Does a page reload by itself after its source is saved: one served by
// sphinx-autobuild (`make livehtml`), or by `astro dev` while `make livemdx`
// writes its MDX? Opens the page in headless Chromium, says so, and waits —
// without navigating — until the page shows the expected text.
//
//   node tests/node/browser-livereload.mjs   (stdin: {"url", "expectText", "timeoutMs", "socketMatch"})
//
// `socketMatch`: part of the URL of the server's reload WebSocket, waited
// for before the page counts as loaded (default: sphinx-autobuild's
// "/websocket-reload"; Vite's, under astro dev, carries "?token=").
//
// Protocol, one JSON object per line on stdout:
//   {"event": "loaded", "h1": ..., "websockets": [...]}
//       the page is open: now edit the source (the caller does)
//   {"event": "result", "found": bool, "reloads": n, "elapsedMs": ms,
//    "h1": ..., "websockets": [...], "externalRequests": [...],
//    "consoleErrors": [...], "pageErrors": [...]}
//       `reloads` counts navigations of the page after the first load; the
//       script itself never navigates, so any reload came from the server
//       (sphinx-autobuild injects a WebSocket client that reloads the page).
// Exit status 0 when a result was printed, 1 when the browser failed, 2 on
// bad input.

import { launchBrowser, newRecordedContext, recordPage } from './browser-common.mjs';
import { readStdinJson, runMain } from './io.mjs';

function emit(object) {
  process.stdout.write(`${JSON.stringify(object)}\n`);
}

async function main() {
  const input = await readStdinJson('browser-livereload');
  if (input === undefined) return 2;
  if (typeof input?.url !== 'string' || typeof input?.expectText !== 'string') {
    process.stderr.write('browser-livereload: stdin must be {"url": ..., "expectText": ..., "timeoutMs"?: ...}\n');
    return 2;
  }
  const timeoutMs = input.timeoutMs ?? 60000;
  const browser = await launchBrowser();
  try {
    const { context } = await newRecordedContext(browser);
    const page = await context.newPage();
    const record = recordPage(page);
    const navigations = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const heading = () => page.evaluate(() => document.querySelector('h1')?.textContent ?? '').catch(() => '');
    await page.goto(input.url, { waitUntil: 'load' });
    // The reload client is a WebSocket opened by a script of the page; give
    // it a moment to connect before the caller saves, or the refresh is missed.
    const socketMatch = input.socketMatch ?? '/websocket-reload';
    const socketDeadline = Date.now() + 15000;
    while (!record.websockets.some((url) => url.includes(socketMatch)) && Date.now() < socketDeadline) {
      await page.waitForTimeout(50);
    }
    const loadedNavigations = navigations.length;
    emit({ event: 'loaded', h1: await heading(), websockets: record.websockets });

    const started = Date.now();
    let found = false;
    while (!found && Date.now() - started < timeoutMs) {
      found = await page
        .waitForFunction((text) => document.body?.innerText.includes(text), input.expectText, {
          timeout: Math.max(1, timeoutMs - (Date.now() - started)),
          polling: 100,
        })
        .then(() => true)
        // A reload destroys the context the function runs in; try again in
        // the new document until the time is up.
        .catch(() => false);
    }
    emit({
      event: 'result',
      found,
      reloads: navigations.length - loadedNavigations,
      elapsedMs: Date.now() - started,
      h1: await heading(),
      websockets: record.websockets,
      externalRequests: record.externalRequests,
      consoleErrors: record.consoleErrors,
      pageErrors: record.pageErrors,
    });
    return 0;
  } finally {
    await browser.close();
  }
}

await runMain('browser-livereload', main);
