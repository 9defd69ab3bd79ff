#!/usr/bin/env node
// Open pages in headless Chromium and report what a reader would meet:
// every request (and any that leaves this machine), console errors, uncaught
// errors, how each Mermaid diagram ended up, the callouts, the lesson
// front matter panel, the doctest output labels, and whether the anchor of
// every h2 works. Optionally a full-page screenshot of each page.
//
//   echo '{"pages": [{"url": "http://127.0.0.1:8000/a.html", "screenshot": "/tmp/a.png"}]}' \
//     | node tests/node/browser-check.mjs
//
// Input (JSON on stdin):
//   pages      [{url, screenshot?}]    screenshot: path of a PNG to write
//   timeoutMs  how long diagrams may take to render, per page (default 20000)
//   concurrency pages checked at once (default 4)
//
// Output (JSON on stdout): {pages: [record], blocked: [url]}, one record per
// input page in input order. The script reports facts and asserts nothing;
// the pytest side (tools/debezium_course/browser_tools.py, tests/test_browser.py) decides
// what must hold. Exit status 0 when every page could be checked, 1 when
// the browser itself failed, 2 on bad input.
//
// Mermaid diagrams come in three shapes:
//   <figure class="mdx-diagram">  drawn at build time (the mdx builder's
//                          default, and the preview's): a static <svg>,
//                          rendered when it is laid out with a size; its
//                          labels are recorded;
//   <pre class="mermaid">  sphinxcontrib-mermaid: mermaid.run()
//                          replaces the source by an <svg> on window load;
//   <figure class="mermaid-diagram">  the site's Mermaid component, an Astro
//                          island hydrated when visible (client:visible), so
//                          each is scrolled into view before it is awaited.
// A diagram counts as rendered only with an <svg> that is not Mermaid's own
// error picture (aria-roledescription="error", "Syntax error in text").

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchBrowser, newRecordedContext, recordPage } from './browser-common.mjs';
import { readStdinJson, runMain } from './io.mjs';

const DIAGRAMS = 'figure.mdx-diagram, pre.mermaid, figure.mermaid-diagram';

// Runs in the page: the state of one diagram element.
function diagramState(element) {
  const svgs = [...element.querySelectorAll('svg')];
  const errorSvg = svgs.find(
    (svg) => svg.getAttribute('aria-roledescription') === 'error' || svg.querySelector('.error-icon, .error-text'),
  );
  // The words of Mermaid's error picture, without its <style>.
  const errorWords = errorSvg ? [...errorSvg.querySelectorAll('text')].map((t) => t.textContent.trim()).join(' ') : '';
  if (element.matches('figure.mdx-diagram')) {
    const svg = element.querySelector(':scope > svg');
    const box = svg?.getBoundingClientRect();
    const shown = Boolean(svg && box.width > 0 && box.height > 0 && getComputedStyle(svg).visibility === 'visible');
    return {
      kind: 'static',
      state: shown && !errorSvg ? 'rendered' : 'error',
      error: shown ? errorWords : 'no <svg> with a size on the page',
      svgCount: svgs.length,
      role: svg?.getAttribute('role') ?? null,
      name: svg ? [...svg.querySelectorAll(':scope > title')].map((t) => t.textContent).join(' ') : '',
      labels: svg ? [...svg.querySelectorAll('text')].map((t) => t.textContent.replace(/\s+/g, ' ').trim()).filter(Boolean) : [],
    };
  }
  if (element.matches('figure.mermaid-diagram')) {
    const state = element.getAttribute('data-mermaid-state');
    const message = element.querySelector('.mermaid-error')?.textContent ?? '';
    const drawn = element.querySelector('.mermaid-render svg');
    return {
      kind: 'component',
      componentState: state,
      state: errorSvg || state === 'error' ? 'error' : state === 'rendered' && drawn ? 'rendered' : 'pending',
      error: message || errorWords,
      svgCount: svgs.length,
    };
  }
  const processed = element.getAttribute('data-processed') === 'true';
  const failed = element.hasAttribute('data-mermaid-render-failed');
  return {
    kind: 'sphinxcontrib-mermaid',
    componentState: processed ? 'processed' : 'source',
    state: errorSvg || failed ? 'error' : processed && svgs.length ? 'rendered' : 'pending',
    error: errorWords,
    svgCount: svgs.length,
  };
}

async function diagramStates(page) {
  return page.$$eval(DIAGRAMS, (elements, stateSource) => {
    const state = new Function(`return (${stateSource})`)();
    return elements.map(state);
  }, diagramState.toString());
}

/** Wait until no diagram is pending (or the time is up); scroll each into view first. */
async function settleDiagrams(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const diagrams = page.locator(DIAGRAMS);
  const count = await diagrams.count();
  for (let index = 0; index < count; index += 1) {
    const diagram = diagrams.nth(index);
    await diagram.scrollIntoViewIfNeeded({ timeout: Math.max(1000, deadline - Date.now()) }).catch(() => {});
    await page
      .waitForFunction(
        ({ selector, position, stateSource }) => {
          const state = new Function(`return (${stateSource})`)();
          const element = document.querySelectorAll(selector)[position];
          return element && state(element).state !== 'pending';
        },
        { selector: DIAGRAMS, position: index, stateSource: diagramState.toString() },
        { timeout: Math.max(1, deadline - Date.now()) },
      )
      .catch(() => {});
  }
  return diagramStates(page);
}

// Runs in the page: facts about the content.
function contentFacts(diagramSelector) {
  const text = (node) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const panel = document.querySelector('.lesson-meta');
  const lessonMeta = panel
    ? [...panel.querySelectorAll('dt')].map((dt) => {
        const dd = dt.nextElementSibling;
        return {
          label: text(dt).replace(/:$/, ''),
          text: text(dd),
          links: [...dd.querySelectorAll('a')].map((a) => ({ text: text(a), href: a.href })),
          plain: [...dd.querySelectorAll('.lesson-prerequisite:not(a)')].map(text),
          topics: [...dd.querySelectorAll('.lesson-topic')].map(text),
        };
      })
    : null;
  const doctestOutputs = [...document.querySelectorAll('.doctest-output')].map((block) => ({
    label: getComputedStyle(block, '::before').content,
    text: text(block.querySelector('pre')),
  }));
  const callouts = [...document.querySelectorAll('aside.callout')].map((aside) => ({
    type: aside.getAttribute('data-callout-type'),
    title: text(aside.querySelector('.callout-title')),
    text: text(aside.querySelector('.callout-body')),
  }));
  const admonitions = [...document.querySelectorAll('div.admonition')].map((box) => ({
    classes: box.className,
    title: text(box.querySelector('.admonition-title')),
  }));
  // Anything that makes the browser fetch or connect by itself, pointing
  // off the machine. Plain <a href> links are not requests.
  const resourceAttributes = [
    ['script[src]', 'src'],
    ['img[src]', 'src'],
    ['iframe[src]', 'src'],
    ['source[src]', 'src'],
    ['video[src]', 'src'],
    ['audio[src]', 'src'],
    ['object[data]', 'data'],
    ['link[href]', 'href'],
  ];
  const externalReferences = [];
  for (const [selector, attribute] of resourceAttributes) {
    for (const element of document.querySelectorAll(selector)) {
      if (element.tagName === 'LINK' && !/stylesheet|preload|prefetch|preconnect|dns-prefetch|icon|manifest|modulepreload/.test(element.rel)) continue;
      const url = element[attribute] || element.getAttribute(attribute);
      if (url && !/^(data|blob|about):/.test(url)) {
        const host = new URL(url, location.href).hostname;
        if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) externalReferences.push(`${element.tagName.toLowerCase()} ${url}`);
      }
    }
  }
  const headings = [...document.querySelectorAll('article h2, main h2, [role="main"] h2')]
    .filter((heading, index, all) => all.indexOf(heading) === index)
    .map((heading) => {
      // The anchors of a heading: its own id; in Sphinx output the section's
      // id (the ¶ link) and the MyST slug targets (<span id>) before it.
      const ids = [];
      if (heading.id) ids.push(heading.id);
      const link = heading.querySelector('a.headerlink');
      if (link?.hash) ids.push(decodeURIComponent(link.hash.slice(1)));
      const section = heading.parentElement;
      if (section?.tagName === 'SECTION' && section.id) ids.push(section.id);
      for (let sibling = heading.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        if (sibling.tagName === 'SPAN' && sibling.id) ids.push(sibling.id);
      }
      return { text: text(heading).replace(/¶$/, ''), ids: [...new Set(ids)] };
    });
  const strayErrorSvgs = [...document.querySelectorAll('svg[aria-roledescription="error"]')].filter(
    (svg) => !svg.closest(diagramSelector),
  ).length;
  return {
    title: document.title,
    h1: text(document.querySelector('h1')).replace(/¶$/, ''),
    lang: document.documentElement.lang,
    lessonMeta,
    doctestOutputs,
    callouts,
    admonitions,
    externalReferences,
    headings,
    strayErrorSvgs,
  };
}

// Runs in the page: is the element with this id the :target, and was it
// scrolled to? "Scrolled to" means its top is in the upper quarter of the
// window, or the page is scrolled to its end and the element is on screen
// (a heading near the end of a page cannot reach the top).
function anchorFacts(id) {
  const element = document.getElementById(id);
  const scrollY = Math.round(window.scrollY);
  const maxScrollY = Math.max(0, document.documentElement.scrollHeight - window.innerHeight);
  if (!element) return { id, exists: false, isTarget: false, scrolledTo: false, top: null, scrollY, maxScrollY };
  const top = Math.round(element.getBoundingClientRect().top);
  const nearTop = top >= -2 && top <= window.innerHeight / 4;
  const atEnd = scrollY >= maxScrollY - 2 && top >= -2 && top < window.innerHeight;
  return { id, exists: true, isTarget: element.matches(':target'), scrolledTo: nearTop || atEnd, top, scrollY, maxScrollY };
}

async function waitForAnchor(page, id) {
  // Smooth scrolling takes a moment: wait until the target is scrolled to
  // and the scroll position has stopped moving, then report whatever holds
  // (the caller decides). The lessons are over 45,000 px tall, and on a
  // loaded 2-core machine the scroll to their last heading had not even
  // started after 3 s (CI); waiting ends as soon as it holds.
  await page
    .waitForFunction(
      ({ target, source }) => {
        const facts = new Function(`return (${source})`)()(target);
        const settled = window.__lastScrollY === facts.scrollY;
        window.__lastScrollY = facts.scrollY;
        return settled && facts.isTarget && facts.scrolledTo;
      },
      { target: id, source: anchorFacts.toString() },
      { timeout: 10000, polling: 100 },
    )
    .catch(() => {});
  return page.evaluate(anchorFacts, id);
}

// Full-page screenshots are taken one at a time, of the page in front:
// with several pages captured at once, headless Chromium (software
// rendering) sometimes returned a tall page as its first screen repeated
// all the way down.
let screenshotQueue = Promise.resolve();
function oneAtATime(task) {
  const run = screenshotQueue.then(task);
  screenshotQueue = run.catch(() => {});
  return run;
}

async function checkPage(context, spec, timeoutMs) {
  const page = await context.newPage();
  const record = { url: spec.url, ...recordPage(page), timings: {} };
  const started = Date.now();
  try {
    const response = await page.goto(spec.url, { waitUntil: 'load', timeout: timeoutMs });
    record.status = response?.status() ?? null;
    record.diagrams = await settleDiagrams(page, timeoutMs);
    await page.waitForLoadState('networkidle', { timeout: timeoutMs }).catch(() => {});
    Object.assign(record, await page.evaluate(contentFacts, DIAGRAMS));
    record.timings.loaded = Date.now() - started;
    if (spec.screenshot) {
      await mkdir(path.dirname(spec.screenshot), { recursive: true });
      await oneAtATime(async () => {
        await page.bringToFront();
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: spec.screenshot, fullPage: true });
      });
      record.screenshot = spec.screenshot;
    }
    record.timings.screenshot = Date.now() - started;
    // Same-document navigation to each heading anchor, from the top. Where
    // the page lands is what counts, not the animation: smooth scrolling
    // (furo turns it on) would take seconds per anchor on a long lesson.
    await page.addStyleTag({ content: 'html { scroll-behavior: auto !important; }' });
    record.anchors = [];
    for (const heading of record.headings) {
      for (const id of heading.ids) {
        let facts;
        // Twice at most: on a loaded CI machine Chromium once made the
        // heading the :target without scrolling at all (scrollY still 0
        // after 10 s). A second navigation must then land; what is
        // reported is the last attempt, with how many it took.
        for (let attempt = 1; attempt <= 2; attempt += 1) {
          await page.evaluate(() => window.scrollTo(0, 0));
          if (attempt > 1) await page.goto(spec.url.split('#')[0] + '#', { timeout: timeoutMs });
          await page.goto(`${spec.url.split('#')[0]}#${encodeURIComponent(id)}`, { timeout: timeoutMs });
          facts = { ...(await waitForAnchor(page, id)), attempts: attempt };
          if (facts.scrolledTo || !facts.exists) break;
        }
        record.anchors.push({ heading: heading.text, ...facts });
      }
    }
    record.timings.anchors = Date.now() - started;
    // A fresh load straight at the last heading, as from a link on another
    // page: the diagrams drawn after load must not push it off screen.
    const last = record.headings.at(-1);
    if (last?.ids.length) {
      const id = last.ids[0];
      const fresh = await context.newPage();
      const freshRecord = recordPage(fresh);
      await fresh.goto(`${spec.url.split('#')[0]}#${encodeURIComponent(id)}`, { waitUntil: 'load', timeout: timeoutMs });
      await fresh.waitForLoadState('networkidle', { timeout: timeoutMs }).catch(() => {});
      // The preview draws every diagram on load, seen or not; the site's
      // islands only when visible, and those above the target are not.
      await fresh
        .waitForFunction(() => [...document.querySelectorAll('pre.mermaid')].every((el) => el.getAttribute('data-processed') === 'true'), null, { timeout: timeoutMs })
        .catch(() => {});
      record.freshAnchor = { heading: last.text, ...(await waitForAnchor(fresh, id)) };
      for (const key of ['requests', 'externalRequests', 'failedResponses', 'failedRequests', 'consoleErrors', 'consoleWarnings', 'pageErrors', 'websockets']) {
        record[key].push(...freshRecord[key]);
      }
      await fresh.close();
    }
    record.timings.total = Date.now() - started;
  } catch (error) {
    record.checkError = String(error?.stack ?? error);
  } finally {
    await page.close();
  }
  return record;
}

async function main() {
  const input = await readStdinJson('browser-check');
  if (input === undefined) return 2;
  if (!Array.isArray(input?.pages) || !input.pages.every((p) => typeof p?.url === 'string')) {
    process.stderr.write('browser-check: stdin must be {"pages": [{"url": ..., "screenshot"?: ...}]}\n');
    return 2;
  }
  const timeoutMs = input.timeoutMs ?? 20000;
  const concurrency = Math.max(1, input.concurrency ?? 4);
  const browser = await launchBrowser();
  try {
    const { context, blocked } = await newRecordedContext(browser);
    const records = new Array(input.pages.length);
    let next = 0;
    const worker = async () => {
      while (next < input.pages.length) {
        const index = next;
        next += 1;
        records[index] = await checkPage(context, input.pages[index], timeoutMs);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, input.pages.length) }, worker));
    await context.close();
    process.stdout.write(JSON.stringify({ pages: records, blocked }));
    return 0;
  } finally {
    await browser.close();
  }
}

await runMain('browser-check', main);
