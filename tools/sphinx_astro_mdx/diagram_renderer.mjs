#!/usr/bin/env node
// Draws Mermaid diagrams as static SVG for the mdx builder (and the preview):
// the real mermaid library (node_modules/mermaid, pinned in package.json) in
// headless Chromium (the system's, see chromium.mjs), one browser for the
// whole build.
//
// Protocol: one JSON object per line on stdin, one answer per line on
// stdout, in the same order.  The process announces
// {"ready": true, "mermaid": "<version>"} once the browser runs mermaid, and
// ends when stdin closes.
//   request  {"id": N, "source": "<chart>", "config": {<mermaid config>}, "rootId": "<id>"}
//   answer   {"id": N, "type": "<diagram type>", "svg": <element>, "unlinked": <click links dropped>, "ms": <render time>}
//         or {"id": N, "error": {"message": "…", "line": L | null}}
// where an element is {"name": "g", "attributes": [["class", "node"], …],
// "children": [<element or text>, …]}: the SVG as the DOM holds it, so the
// builder never parses markup itself.
//
// What the builder gets is what Mermaid draws, with these changes:
// - labels are SVG <text> (htmlLabels off, and a chart cannot turn it on):
//   real text for search engines and screen readers; a drawing with HTML in
//   it, or that refers to anything outside itself (url(...) other than its
//   own #ids), is refused; `click` links are dropped, their words kept;
// - the <svg> is role="img" with an accessible name: Mermaid's own <title>
//   and <desc> when the chart has accTitle/accDescr, else a <title> that
//   lists its labels (a screen reader does not read inside an image);
// - ids are renumbered rootId-<n> (the same chart gives the same SVG,
//   whatever was drawn before it), so unchanged lessons keep their bytes;
//   the builder gives each diagram of a page its own prefix;
// - what nothing in the drawing uses is dropped, so the page carries (and the
//   builder verifies) about half the bytes: CSS rules that match no element
//   of this diagram, <defs> content (markers, gradients) nothing refers to,
//   data-* attributes and class names the remaining CSS does not select on,
//   a word's <tspan> that only repeats its line's font, empty style
//   attributes and empty groups.

import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { launchBrowser } from './chromium.mjs';

const require = createRequire(import.meta.url);
const MERMAID_DIR = path.dirname(require.resolve('mermaid/package.json'));
const MERMAID_VERSION = require('mermaid/package.json').version;
const MERMAID_BUNDLE = path.join(MERMAID_DIR, 'dist', 'mermaid.min.js');

// What every chart is drawn with, whatever the theme says.  `secure` lists
// the keys a chart's own %%{init}%% directive or front matter cannot change
// (Mermaid's defaults, plus HTML labels and the theme: a chart must not
// bring HTML, fonts or CSS of its own into the page).
const FIXED_CONFIG = {
  startOnLoad: false,
  securityLevel: 'strict',
  deterministicIds: true,
  htmlLabels: false,
  flowchart: { htmlLabels: false },
  secure: [
    'secure', 'securityLevel', 'startOnLoad', 'maxTextSize', 'suppressErrorRendering', 'maxEdges',
    'htmlLabels', 'theme', 'themeVariables', 'themeCSS', 'fontFamily', 'altFontFamily', 'darkMode',
  ],
};

/** Where in the chart Mermaid's parser stopped: jison parsers say it in
 * error.hash.loc, langium parsers in the message.  Runs in the page. */
export function errorPosition(error) {
  const loc = error?.hash?.loc;
  if (loc && Number.isInteger(loc.first_line)) {
    return { line: loc.first_line, column: Number.isInteger(loc.first_column) ? loc.first_column + 1 : null };
  }
  const match = /line (\d+), column (\d+)/.exec(String(error?.message ?? ''));
  return match ? { line: Number(match[1]), column: Number(match[2]) } : { line: null, column: null };
}

/** A page running mermaid's browser bundle, injected from node_modules:
 * no server and no network (any request off the page is refused). */
export async function openMermaidPage(browser) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await context.route('**/*', (route) => route.abort('blockedbyclient'));
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.addScriptTag({ path: MERMAID_BUNDLE });
  const ready = await page.evaluate(() => typeof window.mermaid?.render === 'function');
  if (!ready || pageErrors.length) {
    throw new Error(`mermaid did not load from ${MERMAID_BUNDLE}: ${pageErrors.join('; ')}`);
  }
  return page;
}

// Runs in the page.
async function drawInPage({ source, config, rootId, position, prune, rename }) {
  const errorPosition = new Function(`return (${position})`)();
  const pruneUnused = new Function(`return (${prune})`)();
  const renameIds = new Function(`return (${rename})`)();
  const mermaid = window.mermaid;
  mermaid.initialize(config);
  let diagramType;
  try {
    // suppressErrors: false makes parse() throw instead of returning false.
    ({ diagramType } = await mermaid.parse(source, { suppressErrors: false }));
  } catch (error) {
    return { error: { message: String(error?.message ?? error), line: errorPosition(error).line } };
  }
  const { svg: markup } = await mermaid.render(rootId, source);
  const holder = document.createElement('template');
  holder.innerHTML = markup;
  const svg = holder.content.querySelector('svg');

  // A drawing the page could not show as it is, safely, is refused: HTML
  // inside the SVG (a chart that turned HTML labels on in a way `secure`
  // did not catch), or anything fetched from elsewhere.
  const SVG = 'http://www.w3.org/2000/svg';
  const foreign = [...svg.querySelectorAll('*')].find((element) => element.namespaceURI !== SVG || element.localName === 'foreignObject');
  if (foreign) {
    return { error: { message: `the drawing holds HTML (<${foreign.localName}>), which the site does not get from a diagram; draw the labels as text (no htmlLabels)`, line: null } };
  }
  const outside = [...svg.querySelectorAll('*'), svg]
    .flatMap((element) => [...element.attributes].map((attribute) => attribute.value))
    .concat([...svg.querySelectorAll('style')].map((style) => style.textContent))
    .find((value) => /url\(\s*(?!['"]?#)/i.test(value));
  if (outside) {
    return { error: { message: `the drawing refers to something outside it (${outside.slice(0, 80)}); a diagram may only use its own definitions`, line: null } };
  }
  // `click` links: the site's links come from the lesson's text, where the
  // builder checks them; in a drawing the words stay, without the link.
  const links = [...svg.querySelectorAll('a')];
  for (const link of links) link.replaceWith(...link.childNodes);

  svg.setAttribute('role', 'img');
  svg.removeAttribute('aria-roledescription');
  if (!svg.hasAttribute('aria-labelledby')) {
    // A wrapped label is one <tspan> per line: lines are words apart.
    const labelText = (label) => [...label.childNodes].map((line) => line.textContent).join(' ').replace(/\s+/g, ' ').trim();
    const labels = new Set([...svg.querySelectorAll('text')].map(labelText).filter(Boolean));
    const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    title.id = `${rootId}-title`;
    title.textContent = [...labels].join('; ') || diagramType;
    svg.prepend(title);
    svg.setAttribute('aria-labelledby', title.id);
  }

  pruneUnused(svg);
  renameIds(svg, rootId);

  // White space between elements means nothing in SVG, except inside text.
  const TEXT_CONTENT = new Set(['text', 'tspan', 'textPath', 'title', 'desc', 'style']);
  const toJson = (element) => ({
    name: element.localName,
    attributes: [...element.attributes].map((attribute) => [attribute.name, attribute.value]),
    children: [...element.childNodes].flatMap((child) => {
      if (child.nodeType === Node.ELEMENT_NODE) return [toJson(child)];
      if (child.nodeType !== Node.TEXT_NODE) return [];
      if (!TEXT_CONTENT.has(element.localName) && !child.data.trim()) return [];
      return [child.data];
    }),
  });
  return { type: diagramType, svg: toJson(svg), unlinked: links.length };
}

// Runs in the page (passed to it with drawInPage): every id of a drawn <svg>
// becomes rootId-<n> in document order, and every reference to it follows.
// Mermaid numbers some ids with counters that run over the whole browser
// session (a sequence diagram's actor0, actor1, …), so without this the same
// chart would come out differently depending on what was drawn before it.
function renameIds(svg, rootId) {
  const renamed = new Map();
  for (const element of [svg, ...svg.querySelectorAll('[id]')]) {
    renamed.set(element.id, element === svg ? rootId : `${rootId}-${renamed.size}`);
  }
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`#(${[...renamed.keys()].sort((a, b) => b.length - a.length).map(escape).join('|')})(?![\\w-])`, 'g');
  const follow = (text) => text.replace(pattern, (_, id) => `#${renamed.get(id)}`);
  for (const element of [svg, ...svg.querySelectorAll('*')]) {
    for (const attribute of [...element.attributes]) {
      let value = attribute.value;
      if (attribute.name === 'id') value = renamed.get(value);
      else if (attribute.name === 'aria-labelledby' || attribute.name === 'aria-describedby') {
        value = value.split(/\s+/).map((id) => renamed.get(id) ?? id).join(' ');
      } else value = follow(value);
      if (value !== attribute.value) element.setAttribute(attribute.name, value);
    }
  }
  for (const style of svg.querySelectorAll('style')) style.textContent = follow(style.textContent);
}

// Runs in the page (passed to it with drawInPage): drops from a drawn <svg>
// what nothing in it uses.
function pruneUnused(svg) {
  document.body.append(svg);
  try {
    const style = svg.querySelector('style');
    const rules = style?.sheet ? [...style.sheet.cssRules] : [];
    const matches = (selector) => {
      // A rule for a state (:hover) or a generated box (::before) is kept
      // when its element is in the drawing.
      const element = selector.replace(/::?[a-z-]+(\([^)]*\))?/g, '').trim() || '*';
      try {
        return svg.matches(element) || svg.querySelector(element) !== null;
      } catch {
        return true;
      }
    };
    const kept = rules.filter((rule) => !(rule instanceof CSSStyleRule) || rule.selectorText.split(',').some(matches));
    const styleRules = kept.filter((rule) => !(rule instanceof CSSKeyframesRule)).map((rule) => rule.cssText);
    // Keyframes only when a kept rule animates with them.
    const css = kept
      .filter((rule) => !(rule instanceof CSSKeyframesRule) || styleRules.some((text) => new RegExp(`animation[^;]*\\b${rule.name}\\b`).test(text)))
      .map((rule) => rule.cssText)
      .join('');
    if (style) style.textContent = css;

    const referenced = (id) =>
      css.includes(`#${id}`) ||
      [...svg.querySelectorAll('*')].some((element) =>
        [...element.attributes].some((attribute) => attribute.value.includes(`#${id})`) || attribute.value === `#${id}`),
      );
    for (const definition of svg.querySelectorAll('defs > [id], marker[id]')) {
      if (!referenced(definition.id)) definition.remove();
    }
    for (const element of svg.querySelectorAll('*')) {
      for (const attribute of [...element.attributes]) {
        const unusedData = attribute.name.startsWith('data-') && !css.includes(attribute.name);
        const emptyStyle = attribute.name === 'style' && !attribute.value.replace(/[\s;]/g, '');
        if (unusedData || emptyStyle) element.removeAttribute(attribute.name);
      }
    }
    // Class names no rule selects, and a word's own font style or weight
    // where it is its line's anyway (Mermaid gives every word of a label a
    // <tspan> with both); a <tspan> left with no attribute is just its text.
    for (const element of svg.querySelectorAll('[class]')) {
      const used = element.getAttribute('class').split(/\s+/).filter((name) => name && new RegExp(`\\.${name.replace(/[^\w-]/g, '\\$&')}(?![\\w-])`).test(css));
      if (used.length) element.setAttribute('class', used.join(' '));
      else element.removeAttribute('class');
    }
    for (const word of [...svg.querySelectorAll('tspan')].reverse()) {
      const line = getComputedStyle(word.parentElement);
      if (word.getAttribute('font-style') === line.fontStyle) word.removeAttribute('font-style');
      if (word.getAttribute('font-weight') === line.fontWeight || (word.getAttribute('font-weight') === 'normal' && line.fontWeight === '400')) {
        word.removeAttribute('font-weight');
      }
      if (!word.attributes.length) {
        const parent = word.parentElement;
        word.replaceWith(...word.childNodes);
        parent.normalize();
      }
    }
    for (const group of [...svg.querySelectorAll('g, defs')].reverse()) {
      if (!group.hasChildNodes() && !group.attributes.length) group.remove();
    }
  } finally {
    svg.remove();
  }
}

async function main() {
  const browser = await launchBrowser();
  try {
    const page = await openMermaidPage(browser);
    process.stdout.write(JSON.stringify({ ready: true, mermaid: MERMAID_VERSION }) + '\n');
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      const request = JSON.parse(line);
      const began = performance.now();
      let answer;
      try {
        answer = await page.evaluate(drawInPage, {
          source: request.source,
          config: { ...request.config, ...FIXED_CONFIG, flowchart: { ...request.config?.flowchart, ...FIXED_CONFIG.flowchart } },
          rootId: request.rootId,
          position: errorPosition.toString(),
          prune: pruneUnused.toString(),
          rename: renameIds.toString(),
        });
      } catch (error) {
        answer = { error: { message: `Mermaid could not draw it: ${error?.message ?? error}`, line: null } };
      }
      process.stdout.write(JSON.stringify({ id: request.id, ...answer, ms: performance.now() - began }) + '\n');
    }
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`diagram_renderer: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  }
}
