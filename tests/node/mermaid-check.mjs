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
// So the charts are parsed on the page the mdx builder draws diagrams on
// (tools/sphinx_astro_mdx/diagram_renderer.mjs): mermaid's browser bundle from
// node_modules in headless Chromium, no server and no network.
//
// Exit status 0 when every chart was checked (a parse error is a result),
// 1 when the browser or mermaid could not start, 2 on bad input.

import { errorPosition, openMermaidPage } from '../../tools/sphinx_astro_mdx/diagram_renderer.mjs';
import { launchBrowser } from './browser-common.mjs';
import { readStdinJson, runMain } from './io.mjs';

// Runs in the page.
async function parseAll({ charts, position }) {
  const errorPosition = new Function(`return (${position})`)();
  window.mermaid.initialize({ startOnLoad: false });
  const results = [];
  for (const chart of charts) {
    try {
      // suppressErrors: false makes parse() throw instead of returning false.
      const parsed = await window.mermaid.parse(chart, { suppressErrors: false });
      results.push({ ok: true, diagramType: parsed.diagramType, error: null });
    } catch (error) {
      results.push({ ok: false, diagramType: null, error: { message: String(error?.message ?? error), ...errorPosition(error) } });
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
    const page = await openMermaidPage(browser);
    const results = await page.evaluate(parseAll, { charts, position: errorPosition.toString() });
    process.stdout.write(JSON.stringify(results));
    return 0;
  } finally {
    await browser.close();
  }
}

await runMain('mermaid-check', main);
