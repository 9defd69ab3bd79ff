#!/usr/bin/env node
// Index a built site with Pagefind and search the index the way a reader's
// browser does.
//
//   echo '{"dist": "/abs/site/dist", "pageUrl": "http://127.0.0.1:PORT/debezium-course/",
//          "baseUrl": "/debezium-course/", "terms": ["kafka"]}' \
//     | node tests/node/pagefind-search.mjs
//
// 1. Indexing: the `pagefind` package's Node API (createIndex, addDirectory,
//    writeFiles), as the astro-pagefind integration does after `astro build`;
//    the bundle goes to <dist>/pagefind/, replacing any earlier one.
// 2. Searching: headless Chromium (browser-common.mjs) opens `pageUrl` — a
//    page of the same site, served by the caller on 127.0.0.1 — and imports
//    <baseUrl>pagefind/pagefind.js into it. Pagefind searches the index of
//    that page's <html lang>. Result URLs are the page paths prefixed with
//    `baseUrl`, i.e. the site's own URLs.
//
// Prints {"pageCount": N, "results": {term: [url, ...]}}, URLs in Pagefind's
// ranking order. Exit status 0 when every term was searched, 1 when indexing
// failed or the page made an error or a failed or off-machine request,
// 2 on bad input.

import fs from 'node:fs/promises';
import path from 'node:path';
import * as pagefind from 'pagefind';
import { launchBrowser, newRecordedContext, recordPage } from './browser-common.mjs';
import { readStdinJson, runMain } from './io.mjs';

const NAME = 'pagefind-search';

function validInput(input) {
  return (
    input &&
    typeof input.dist === 'string' &&
    path.isAbsolute(input.dist) &&
    typeof input.pageUrl === 'string' &&
    typeof input.baseUrl === 'string' &&
    input.baseUrl.startsWith('/') &&
    input.baseUrl.endsWith('/') &&
    Array.isArray(input.terms) &&
    input.terms.every((term) => typeof term === 'string')
  );
}

/** Write <dist>/pagefind/; returns the number of pages indexed, or throws. */
async function buildIndex(dist) {
  const outputPath = path.join(dist, 'pagefind');
  await fs.rm(outputPath, { recursive: true, force: true });
  try {
    const { index, errors: createErrors } = await pagefind.createIndex({});
    if (!index) throw new Error(`createIndex: ${createErrors.join('; ')}`);
    const added = await index.addDirectory({ path: dist });
    if (added.errors.length) throw new Error(`addDirectory ${dist}: ${added.errors.join('; ')}`);
    const written = await index.writeFiles({ outputPath });
    if (written.errors.length) throw new Error(`writeFiles ${outputPath}: ${written.errors.join('; ')}`);
    return added.page_count;
  } finally {
    // Stops the pagefind binary the API started; without this Node keeps running.
    await pagefind.close();
  }
}

// Runs in the page.
async function searchAll({ bundleUrl, baseUrl, terms }) {
  const api = await import(bundleUrl);
  await api.options({ baseUrl });
  await api.init();
  const results = {};
  for (const term of terms) {
    const found = await api.search(term);
    const pages = await Promise.all(found.results.map((result) => result.data()));
    results[term] = pages.map((page) => page.url);
  }
  return results;
}

async function main() {
  const input = await readStdinJson(NAME);
  if (input === undefined) return 2;
  if (!validInput(input)) {
    process.stderr.write(
      `${NAME}: stdin must be {"dist": absolute path, "pageUrl": url, "baseUrl": "/…/", "terms": [string]}\n`,
    );
    return 2;
  }
  const pageCount = await buildIndex(input.dist);

  const browser = await launchBrowser();
  try {
    const { context, blocked } = await newRecordedContext(browser);
    const page = await context.newPage();
    const record = recordPage(page);
    const response = await page.goto(input.pageUrl, { waitUntil: 'load' });
    if (!response || !response.ok()) {
      process.stderr.write(`${NAME}: ${input.pageUrl} answered ${response?.status() ?? 'nothing'}\n`);
      return 1;
    }
    const bundleUrl = new URL(`${input.baseUrl}pagefind/pagefind.js`, input.pageUrl).href;
    const results = await page.evaluate(searchAll, {
      bundleUrl,
      baseUrl: input.baseUrl,
      terms: input.terms,
    });
    const problems = [
      ...record.pageErrors.map((error) => `page error: ${error}`),
      ...record.consoleErrors.map((entry) => `console error: ${entry.text}`),
      ...record.failedResponses.map((entry) => `HTTP ${entry.status}: ${entry.url}`),
      ...record.failedRequests.map((entry) => `request failed (${entry.error}): ${entry.url}`),
      ...[...record.externalRequests, ...blocked].map((url) => `off-machine request: ${url}`),
    ];
    if (problems.length) {
      process.stderr.write(`${NAME}: searching ${input.pageUrl} went wrong:\n${[...new Set(problems)].join('\n')}\n`);
      return 1;
    }
    process.stdout.write(JSON.stringify({ pageCount, results }));
    return 0;
  } finally {
    await browser.close();
  }
}

await runMain(NAME, main);
