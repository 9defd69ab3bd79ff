#!/usr/bin/env node
// Compile MDX files with the real @mdx-js/mdx, many files in one Node process
// (starting Node once per lesson would dominate the test time).  A long list
// is split over worker threads of that process, one per core, because the
// compiler is single-threaded and mostly busy parsing.
//
// Usage:
//   node tests/node/compile-mdx.mjs [--tree] FILE...
//   echo '["a.mdx", "b.mdx"]' | node tests/node/compile-mdx.mjs [--tree]
//
// Prints a JSON array on stdout, one record per file, in input order:
//   {file, ok, errors: [{message, line, column, rule}], warnings: [...],
//    frontmatter}
// With --tree each successfully compiled record also has
//   text      what a reader of the page sees, one block (paragraph, heading,
//             code block, table cell, list item paragraph) per line
//   headings  [{depth, text, position}]
//   links     [{url, text, position}] for every Markdown link
//   images    [{url, alt, position}] for every Markdown image
//   footnotes [text] of every footnote definition, in order
//   mdx_nodes [{type, name?, value?, literal?, attributes?, position}] for every
//             mdxjsEsm, mdxJsxFlowElement, mdxJsxTextElement,
//             mdxFlowExpression and mdxTextExpression node
//
// The exit status is 0 whenever every file could be processed, whether or
// not it compiled: a compile failure is a result, reported in `ok`/`errors`.
// It is 2 for a usage error.
//
// The pipeline mirrors what @astrojs/mdx does with a lesson before the MDX
// compiler sees it, so that "compiles here" means "compiles on the site":
// the YAML frontmatter is blanked out with spaces (keeping every line and
// column where it was), and remark-gfm is enabled, as in Astro's defaults.
// Astro's other default, remark-smartypants, only rewrites quotes and dashes
// in text and cannot make a file fail, so it is left out: `text` keeps the
// characters the lesson was written with.
//
// `text` comes from the mdast (remark-parse + remark-mdx + remark-gfm), not
// from rendering the page: rendering would mean importing the site's .tsx
// components, which plain Node cannot load, and replacing them with stand-ins
// would test the stand-ins. The mdast has exactly the prose, code and the
// children of JSX elements that the page shows, with source positions.
// JSX attribute values (a Mermaid chart, a Callout title) are not in `text`;
// they are in `mdx_nodes`.

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createProcessor } from '@mdx-js/mdx';
import remarkGfm from 'remark-gfm';
import { readStdin } from './io.mjs';

// Same shape as Astro's own frontmatter pattern: an optional BOM or leading
// blank lines, then a `---` fence pair around the YAML.
const FRONTMATTER = /^(\uFEFF?|\s*\n)---([\s\S]*?\n)---/;

/** Replace the frontmatter by spaces, keeping line breaks, as Astro does. */
function blankFrontmatter(source) {
  const match = FRONTMATTER.exec(source);
  if (!match) return { content: source, frontmatter: null };
  const [whole, lead, yaml] = match;
  const blanked = lead + '   ' + yaml.replace(/[^\r\n]/g, ' ') + '   ';
  return { content: blanked + source.slice(whole.length), frontmatter: yaml };
}

function messageRecord(message) {
  return {
    message: message.reason ?? String(message.message ?? message),
    line: message.line ?? null,
    column: message.column ?? null,
    rule: message.source && message.ruleId ? `${message.source}:${message.ruleId}` : null,
  };
}

function position(node) {
  const p = node.position;
  if (!p) return null;
  return {
    start: { line: p.start.line, column: p.start.column, offset: p.start.offset },
    end: { line: p.end.line, column: p.end.column, offset: p.end.offset },
  };
}

// The string an expression evaluates to, when that is knowable without
// running it: a string literal or a template literal with no ${…}. That is
// what the site hands to the component, e.g. the `chart` of a <Mermaid>.
function staticString(expressionNode) {
  const program = expressionNode?.data?.estree;
  const statement = program?.body?.length === 1 ? program.body[0] : null;
  const expression = statement?.type === 'ExpressionStatement' ? statement.expression : null;
  if (!expression) return null;
  if (expression.type === 'Literal' && typeof expression.value === 'string') {
    return expression.value;
  }
  if (expression.type === 'TemplateLiteral' && expression.expressions.length === 0) {
    return expression.quasis[0].value.cooked ?? null;
  }
  return null;
}

function attributeRecord(attribute) {
  if (attribute.type === 'mdxJsxExpressionAttribute') {
    // {...spread}
    return { spread: attribute.value };
  }
  const { name, value } = attribute;
  if (value === null || value === undefined) {
    // A bare attribute such as `client:visible`.
    return { name, value: null, expression: null, literal: null };
  }
  if (typeof value === 'string') {
    return { name, value, expression: null, literal: value };
  }
  return { name, value: null, expression: value.value, literal: staticString(value) };
}

const MDX_NODE_TYPES = new Set([
  'mdxjsEsm',
  'mdxJsxFlowElement',
  'mdxJsxTextElement',
  'mdxFlowExpression',
  'mdxTextExpression',
]);

function mdxNodeRecord(node) {
  const record = { type: node.type };
  if (node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') {
    // `name` is null for a fragment (<>…</>).
    record.name = node.name;
    record.attributes = node.attributes.map(attributeRecord);
  } else {
    record.value = node.value;
    // The string an expression shows (a diagram's label), null when it is
    // not a plain string; ESM has none.
    if (node.type !== 'mdxjsEsm') record.literal = staticString(node);
  }
  record.position = position(node);
  return record;
}

// Nodes whose phrasing content is one line of `text`.
const TEXT_BLOCKS = new Set(['paragraph', 'heading', 'tableCell']);
// Nodes a reader never sees as text.
const INVISIBLE = new Set(['mdxjsEsm', 'mdxFlowExpression', 'mdxTextExpression', 'definition', 'footnoteDefinition', 'yaml']);

/** Concatenated text of phrasing content.  An expression that is a string
 * literal shows that string: it is text the reader sees. */
function inlineText(node) {
  if (node.type === 'mdxTextExpression') return staticString(node) ?? '';
  if (INVISIBLE.has(node.type)) return '';
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  if (node.type === 'break') return '\n';
  if (!node.children) return '';
  return node.children.map(inlineText).join('');
}

function collectDocument(tree) {
  const blocks = [];
  const headings = [];
  const links = [];
  const images = [];
  const mdxNodes = [];
  const footnotes = [];

  function visit(node) {
    if (MDX_NODE_TYPES.has(node.type)) mdxNodes.push(mdxNodeRecord(node));
    if (node.type === 'footnoteDefinition') {
      // Shown in a section of its own at the end of the page.
      footnotes.push(node.children.map(inlineText).join(' '));
      return;
    }
    if (INVISIBLE.has(node.type)) return;
    if (node.type === 'code') {
      blocks.push(node.value);
      return;
    }
    if (TEXT_BLOCKS.has(node.type)) {
      const text = inlineText(node);
      blocks.push(text);
      if (node.type === 'heading') {
        headings.push({ depth: node.depth, text, position: position(node) });
      }
      collectInlineNodes(node);
      return;
    }
    if (node.type === 'text' || node.type === 'inlineCode') {
      // Phrasing directly inside a flow JSX element written on one line,
      // e.g. <Callout type="note">Коротко.</Callout>.
      blocks.push(node.value);
      return;
    }
    for (const child of node.children ?? []) visit(child);
  }

  function collectLink(node) {
    if (node.type === 'link') {
      links.push({ url: node.url, text: inlineText(node), position: position(node) });
    }
    if (node.type === 'image') {
      images.push({ url: node.url, alt: node.alt ?? '', position: position(node) });
    }
  }

  // Inside a text block: the block's text is taken already, but links and
  // inline JSX or expressions in it are still recorded.
  function collectInlineNodes(node) {
    for (const child of node.children ?? []) {
      if (MDX_NODE_TYPES.has(child.type)) mdxNodes.push(mdxNodeRecord(child));
      collectLink(child);
      collectInlineNodes(child);
    }
  }

  visit(tree);
  return { text: blocks.join('\n'), headings, links, images, footnotes, mdx_nodes: mdxNodes };
}

// One processor for every file: `compile()` would build a new one (its
// remark, rehype and recma plugin chain) per file, about a tenth of the time
// of a 1000-file check.  Its plugins keep no state between files.
const processor = createProcessor({ format: 'mdx', remarkPlugins: [remarkGfm] });

async function processFile(file, withTree) {
  const record = { file, ok: false, errors: [], warnings: [], frontmatter: null };
  let source;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    record.errors.push({ message: error.message, line: null, column: null, rule: null });
    return record;
  }
  const { content, frontmatter } = blankFrontmatter(source);
  record.frontmatter = frontmatter;
  try {
    const compiled = await processor.process({ path: file, value: content });
    record.ok = true;
    record.warnings = compiled.messages.map(messageRecord);
  } catch (error) {
    record.errors.push(messageRecord(error));
  }
  if (withTree && record.ok) {
    const tree = processor.parse({ path: file, value: content });
    Object.assign(record, collectDocument(tree));
  }
  return record;
}

async function main(argv) {
  const withTree = argv.includes('--tree');
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--tree');
  if (unknown.length) {
    process.stderr.write(`compile-mdx: unknown option ${unknown.join(' ')}\n`);
    return 2;
  }
  let files = argv.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    const input = await readStdin();
    try {
      files = JSON.parse(input);
    } catch (error) {
      process.stderr.write(`compile-mdx: stdin is not a JSON list of paths: ${error.message}\n`);
      return 2;
    }
    if (!Array.isArray(files) || !files.every((f) => typeof f === 'string')) {
      process.stderr.write('compile-mdx: stdin must be a JSON list of paths\n');
      return 2;
    }
  }
  process.stdout.write(JSON.stringify(await processInThreads(files, withTree)));
  return 0;
}

// Below this many files per thread a worker costs more than it saves: each
// one loads the compiler afresh.
const FILES_PER_THREAD = 100;

async function processFiles(files, withTree) {
  const records = [];
  for (const file of files) records.push(await processFile(file, withTree));
  return records;
}

/** The records of every file, in input order, from up to one thread per core. */
async function processInThreads(files, withTree) {
  const threads = Math.min(availableParallelism(), Math.floor(files.length / FILES_PER_THREAD));
  if (threads < 2) return processFiles(files, withTree);
  const size = Math.ceil(files.length / threads);
  const chunks = [];
  for (let start = 0; start < files.length; start += size) chunks.push(files.slice(start, start + size));
  const results = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { files: chunk, withTree } });
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (code !== 0) reject(new Error(`compile worker exited with status ${code}`));
          });
        }),
    ),
  );
  return results.flat();
}

if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2));
} else {
  parentPort.postMessage(await processFiles(workerData.files, workerData.withTree));
}
