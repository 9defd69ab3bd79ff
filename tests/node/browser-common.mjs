// What every browser script of the test suite shares: how Chromium is
// started, and a recorder that sees every request, console message and
// uncaught error of a page.
//
// The browser is started as the mdx builder starts it (tools/sphinx_astro_mdx/
// chromium.mjs): the system's Chromium, never a downloaded one.
// Requests to any host other than this machine are recorded and aborted:
// a test that sees one fails, and the test machines have no network anyway,
// so letting it through would only make the failure slower.

import { CHROMIUM, launchBrowser } from '../../tools/sphinx_astro_mdx/chromium.mjs';

export { CHROMIUM, launchBrowser };

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for URLs that stay on this machine (and for data:, blob:, about:). */
export function isLocalUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return true;
  return LOCAL_HOSTS.has(parsed.hostname);
}

/**
 * A browser context whose every page is recorded. Off-machine requests are
 * aborted here, at the context, so that pages opened by a page are covered
 * too.
 */
export async function newRecordedContext(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'ru-RU', serviceWorkers: 'block' });
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocalUrl(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return { context, blocked };
}

/** Start recording a page; returns the record that fills as the page runs. */
export function recordPage(page) {
  const record = {
    requests: [],
    externalRequests: [],
    failedResponses: [],
    failedRequests: [],
    consoleErrors: [],
    consoleWarnings: [],
    pageErrors: [],
    websockets: [],
  };
  page.on('request', (request) => {
    const url = request.url();
    record.requests.push({ url, resourceType: request.resourceType(), method: request.method() });
    if (!isLocalUrl(url)) record.externalRequests.push(url);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) record.failedResponses.push({ url: response.url(), status: response.status() });
  });
  page.on('requestfailed', (request) => {
    // Aborted off-machine requests are already in externalRequests.
    if (isLocalUrl(request.url())) {
      record.failedRequests.push({ url: request.url(), error: request.failure()?.errorText ?? 'failed' });
    }
  });
  page.on('console', (message) => {
    const entry = { text: message.text(), location: message.location() };
    if (message.type() === 'error') record.consoleErrors.push(entry);
    else if (message.type() === 'warning') record.consoleWarnings.push(entry);
  });
  page.on('pageerror', (error) => record.pageErrors.push(String(error?.stack ?? error)));
  page.on('websocket', (socket) => {
    record.websockets.push(socket.url());
    if (!isLocalUrl(socket.url())) record.externalRequests.push(socket.url());
  });
  return record;
}
