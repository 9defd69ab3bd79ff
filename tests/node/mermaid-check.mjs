#!/usr/bin/env node
// Parse Mermaid charts with the real mermaid library the site and the
// preview use (node_modules/mermaid, pinned in package.json) and report the
// errors.
//
//   echo '["flowchart LR\n A --> B", "flowchart LR\n A --"]' | node tests/node/mermaid-check.mjs
//
// Prints a JSON array, one record per chart, in input order:
//   {ok: true,  diagramType: "flowchart-v2", error: null}
//   {ok: false, diagramType: null, error: {message, line, column}}
// `line`/`column` are 1-based positions in the chart when mermaid's parser
// gives one (jison parsers in error.hash.loc, langium parsers in the
// message), otherwise null.
//
// Why a browser: mermaid.parse() runs in plain Node for some diagram types
// but not all (classDiagram fails with "DOMPurify.addHook is not a
// function": mermaid sanitizes labels with DOMPurify, which needs a DOM).
// So the charts are parsed in headless Chromium (the system's, see
// browser-common.mjs) on an empty page with mermaid's browser bundle
// (dist/mermaid.min.js) injected from node_modules: no server and no network.
//
// Exit status 0 when every chart was checked (a parse error is a result),
// 1 when the browser or mermaid could not start, 2 on bad input.

import { createRequire } from 'node:module';
import path from 'node:path';
import { launchBrowser, newRecordedContext } from './browser-common.mjs';
import { readStdinJson, runMain } from './io.mjs';

const require = createRequire(import.meta.url);
const MERMAID_BUNDLE = path.join(path.dirname(require.resolve('mermaid/package.json')), 'dist', 'mermaid.min.js');

// Runs in the page.
async function parseAll(charts) {
  const position = (error) => {
    const loc = error?.hash?.loc;
    if (loc && Number.isInteger(loc.first_line)) {
      return { line: loc.first_line, column: Number.isInteger(loc.first_column) ? loc.first_column + 1 : null };
    }
    const match = /line (\d+), column (\d+)/.exec(String(error?.message ?? ''));
    return match ? { line: Number(match[1]), column: Number(match[2]) } : { line: null, column: null };
  };
  const results = [];
  for (const chart of charts) {
    try {
      // suppressErrors: false makes parse() throw instead of returning false.
      const parsed = await window.mermaid.parse(chart, { suppressErrors: false });
      results.push({ ok: true, diagramType: parsed.diagramType, error: null });
    } catch (error) {
      results.push({ ok: false, diagramType: null, error: { message: String(error?.message ?? error), ...position(error) } });
    }
  }
  return results;
}

async function main() {
  const charts = await readStdinJson('mermaid-check');
  if (charts === undefined) return 2;
  if (!Array.isArray(charts) || !charts.every((chart) => typeof chart === 'string')) {
    process.stderr.write('mermaid-check: stdin must be a JSON list of chart sources\n');
    return 2;
  }
  const browser = await launchBrowser();
  try {
    const { context, blocked } = await newRecordedContext(browser);
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.addScriptTag({ path: MERMAID_BUNDLE });
    const ready = await page.evaluate(() => typeof window.mermaid?.parse === 'function');
    if (!ready || pageErrors.length) {
      process.stderr.write(`mermaid-check: mermaid did not load from ${MERMAID_BUNDLE}: ${pageErrors.join('; ')}\n`);
      return 1;
    }
    await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false }));
    const results = await page.evaluate(parseAll, charts);
    if (blocked.length) {
      // Parsing must not need the network; if it tried, say so loudly.
      process.stderr.write(`mermaid-check: mermaid tried to reach ${blocked.join(', ')}\n`);
      return 1;
    }
    process.stdout.write(JSON.stringify(results));
    return 0;
  } finally {
    await browser.close();
  }
}

await runMain('mermaid-check', main);
