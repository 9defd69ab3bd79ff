#!/usr/bin/env node
// The MDX writer of the mdx builder: lesson trees (mdast, as JSON) in, MDX
// text out, each checked by parsing it back the way the course site does.
//
// Protocol: one JSON object per line on stdin, one answer per line on
// stdout, in the same order.  The process announces {"ready": true} once its
// modules are loaded, and ends when stdin closes.
//   request  {"id": N, "tree": <mdast root>}
//   answer   {"id": N, "mdx": "<text>", "timing": {"serialize": ms, "verify": ms}}
//         or {"id": N, "problems": [{"line": L, "message": "…"}], "timing": …}
//
// Why a tree and not text: lesson and translation text is untrusted, and
// MDX gives a meaning to a great many characters ({, <, `import` at a line
// start, a URL after a letter, a backslash before a pipe in a table…).  The
// builder says what the page must contain; mdast-util-to-markdown, the
// serializer maintained with the parser the site uses, writes it; and the
// text is parsed back with micromark + GFM + MDX (what @astrojs/mdx runs) and
// must give the same tree: the same structure and text, and JSX, ESM and
// expressions exactly where the builder put them.  A lesson whose text would
// read back differently is refused with the line of the construct.
//
// Node types beyond mdast's own, which the builder may send:
//   {"type": "mdxRaw", "value": "…"}   an author's ```{raw} mdx``` block, the
//   one way in for MDX: written as it is, and it must parse on its own.
// Any node may carry data.line, the lesson line it comes from; problems are
// reported at the nearest such line.

import { createInterface } from 'node:readline';
import { defaultHandlers, toMarkdown } from 'mdast-util-to-markdown';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { mdxToMarkdown } from 'mdast-util-mdx';
import { gfmToMarkdown } from 'mdast-util-gfm';
import { frontmatterToMarkdown } from 'mdast-util-frontmatter';
import { gfmAutolinkLiteralFromMarkdown } from 'mdast-util-gfm-autolink-literal';
import { MARKDOWN_STYLE, PARSE_OPTIONS, plainString } from './mdx_syntax.mjs';

const WRITE_OPTIONS = {
  extensions: [gfmToMarkdown({ tablePipeAlign: false }), mdxToMarkdown(), frontmatterToMarkdown(['yaml'])],
  ...MARKDOWN_STYLE,
  handlers: { mdxRaw: (node) => node.value, list: listBesideRaw },
  unsafe: [
    // MDX reads a line that starts with `import ` or `export ` as an ES
    // module: the serializer does not know that, so the first letter of
    // such a line is written as a character reference.
    { character: 'i', atBreak: true, after: 'mport[ \\t]' },
    { character: 'e', atBreak: true, after: 'xport[ \\t]' },
  ],
};

// What GFM makes of the text once it is parsed: it turns URLs, `www.` and
// e-mail addresses in text into links, after escapes are resolved, so no
// escape keeps them text.
const [autolinkLiterals] = gfmAutolinkLiteralFromMarkdown().transforms;

// Inline node types the builder makes (a check of its own trees).
const PHRASING = new Set([
  'text', 'emphasis', 'strong', 'inlineCode', 'break', 'link', 'image', 'footnoteReference', 'mdxJsxTextElement',
]);

class LessonProblem extends Error {
  constructor(message, node) {
    super(message);
    this.line = node?.data?.line ?? null;
  }
}

/** An empty element the builder puts between two characters of text to keep
 * them apart: it shows nothing and adds nothing to a heading's anchor. */
function separator(line) {
  return { type: 'mdxJsxTextElement', name: 'span', attributes: [], children: [], data: { line } };
}

// ----------------------------------------------------------------------
// preparing the intended tree

/** Raw MDX of an author (the only MDX that is not built here): written as
 * the author wrote it, and parsed on its own to know which nodes it must
 * read back as. */
function parseRaw(node) {
  let tree;
  try {
    tree = fromMarkdown(node.value, PARSE_OPTIONS);
  } catch (error) {
    throw new LessonProblem(`the raw MDX block is not valid MDX: ${error.reason ?? error.message}`, node);
  }
  const line = node.data?.line;
  for (const parsed of tree.children) visit(parsed, (inner) => (inner.data = { ...inner.data, line, raw: true }));
  return { ...node, value: node.value.replace(/\n+$/, ''), nodes: tree.children };
}

/** The marker a list parsed from raw MDX is written with (`-`, `*`, `+`,
 * or `.`/`)` after an ordered list's number). */
function listMarker(raw, list) {
  const match = /^(?:\d+([.)])|([-*+]))/.exec(raw.value.slice(list.position.start.offset));
  return match ? (match[1] ?? match[2]) : null;
}

/** A list next to raw MDX that ends (or starts) with a list of the same
 * kind: Markdown would read the two as one list unless their markers
 * differ; the list records the raw list's marker, and the list handler
 * then takes the other one, as it does between two lists of its own. */
function markListsBesideRawLists(children) {
  children.forEach((child, index) => {
    if (child.type !== 'list') return;
    const sameKind = (node) => node?.type === 'list' && Boolean(node.ordered) === Boolean(child.ordered);
    const before = children[index - 1];
    const after = children[index + 1];
    if (before?.type === 'mdxRaw' && sameKind(before.nodes.at(-1))) child.data = { ...child.data, rawMarker: listMarker(before, before.nodes.at(-1)) };
    else if (after?.type === 'mdxRaw' && sameKind(after.nodes[0])) child.data = { ...child.data, rawMarker: listMarker(after, after.nodes[0]) };
  });
}

/** Lists beside a raw list take the other marker (see markListsBesideRawLists). */
function listBesideRaw(node, parent, state, info) {
  if (node.data?.rawMarker) state.bulletLastUsed = node.data.rawMarker;
  return defaultHandlers.list(node, parent, state, info);
}

// Containers Markdown cannot write without content.
const EMPTY_UNWRITABLE = new Set(['paragraph', 'emphasis', 'strong']);

/** The tree as it must read back: raw MDX in place, adjacent text merged,
 * lists loose or tight by their content,
 * white space at the ends of a block's text trimmed, empty text, code,
 * emphasis and paragraphs gone (Markdown cannot write them, and they show
 * nothing). */
function normalise(node, line) {
  const here = node.data?.line ?? line;
  if (!node.children) return node;
  const children = [];
  for (let child of node.children) {
    if (child.type === 'mdxRaw') {
      children.push(child.nodes ? child : parseRaw(child));
      continue;
    }
    if (!child.data?.line && here) child.data = { ...child.data, line: here };
    child = normalise(child, here);
    const previous = children.at(-1);
    if (child.type === 'text') {
      if (child.value === '') continue;
      if (previous?.type === 'text') {
        previous.value += child.value;
        continue;
      }
    }
    if (EMPTY_UNWRITABLE.has(child.type) && child.children.length === 0) continue;
    if (child.type === 'inlineCode' && child.value === '') continue;
    children.push(child);
  }
  node.children = children;
  markListsBesideRawLists(children);
  if (TRIMMED.has(node.type)) trimEdges(node);
  if (node.type === 'list') {
    // Loose (blank lines between items, paragraphs in <p>) as the builder
    // says (the author's Markdown), else as soon as one item holds more
    // than one block, as the preview shows it.
    if (typeof node.spread !== 'boolean') node.spread = children.some((item) => item.children.length > 1);
    for (const item of children) item.spread = node.spread;
  }
  return node;
}

// Blocks whose text Markdown trims at both ends (as HTML shows it anyway):
// white space there cannot be written in every one of them (a table cell
// drops it), so the intended tree does not have it either.
const TRIMMED = new Set(['paragraph', 'heading', 'tableCell']);

function trimEdges(node) {
  const first = node.children[0];
  if (first?.type === 'text') first.value = first.value.replace(/^[ \t\r\n]+/, '');
  const last = node.children.at(-1);
  if (last?.type === 'text') last.value = last.value.replace(/[ \t\r\n]+$/, '');
  node.children = node.children.filter((child) => child.type !== 'text' || child.value !== '');
}

/** Text GFM would turn into a link is split by an empty element right
 * before the character that makes it a link (the `:` of a scheme, the `.`
 * after `www`, the `@` of an address): the reader sees the same text. */
function keepLiteralUrlsText(tree) {
  const intended = new WeakSet();
  visit(tree, (node) => {
    if (node.type === 'link') intended.add(node);
  });
  autolinkLiterals(tree);
  visit(tree, (node) => {
    if (!node.children) return;
    node.children = node.children.flatMap((child) => {
      if (child.type !== 'link' || intended.has(child)) return [child];
      const text = plainText(child);
      const cut = child.url.startsWith('mailto:') ? text.indexOf('@') : text.search(/[:.]/);
      return [
        { type: 'text', value: text.slice(0, cut) },
        separator(node.data?.line),
        { type: 'text', value: text.slice(cut) },
      ];
    });
  });
  // The pieces may sit next to text again.
  normalise(tree, null);
}

/** Inline code that Markdown cannot say, written as <code>…</code> with the
 * code as its text:
 * - in a table cell, with a backslash before a pipe: GFM reads `\|` in a
 *   cell as an escaped pipe, even inside code;
 * - right after another code span (the keys of {kbd}`a+ a`): the two
 *   backtick fences would run together. */
function codeMarkdownCannotSay(tree) {
  const rewrite = (node, inCell) => {
    if (!node.children) return;
    const here = inCell || node.type === 'tableCell';
    node.children = node.children.map((child, index) => {
      const afterCode = node.children[index - 1]?.type === 'inlineCode';
      if (child.type === 'inlineCode' && (afterCode || (here && child.value.includes('\\|')))) {
        return {
          type: 'mdxJsxTextElement',
          name: 'code',
          attributes: [],
          children: [{ type: 'text', value: child.value }],
          data: child.data,
        };
      }
      rewrite(child, here);
      return child;
    });
  };
  rewrite(tree, false);
}

function visit(node, callback) {
  callback(node);
  for (const child of node.children ?? []) visit(child, callback);
}

function plainText(node) {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  return (node.children ?? []).map(plainText).join('');
}

// ----------------------------------------------------------------------
// comparing what was meant with what the site will read

/** Whether a list renders loose (items in <p>), as mdast-util-to-hast decides. */
function listLoose(list) {
  return Boolean(list.spread) || list.children.some((item) => (item.spread ?? item.children.length > 1));
}

function attributeKey(attribute) {
  if (attribute.type === 'mdxJsxExpressionAttribute') return { spread: attribute.value };
  const value = attribute.value;
  if (value === null || value === undefined) return { name: attribute.name, value: null };
  if (typeof value === 'string') return { name: attribute.name, value };
  return { name: attribute.name, expression: value.value };
}

/** What of a node the reader's page depends on, children aside. */
function essentials(node) {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
    case 'yaml':
    case 'mdxjsEsm':
    case 'mdxFlowExpression':
    case 'mdxTextExpression':
      return { value: node.value };
    case 'heading':
      return { depth: node.depth };
    case 'code':
      return { lang: node.lang ?? null, meta: node.meta ?? null, value: node.value };
    case 'list':
      return { ordered: Boolean(node.ordered), start: node.ordered ? (node.start ?? 1) : null, loose: listLoose(node) };
    case 'listItem':
      return { checked: node.checked ?? null };
    case 'link':
      return { url: node.url, title: node.title ?? null };
    case 'image':
      return { url: node.url, alt: node.alt ?? '', title: node.title ?? null };
    case 'table':
      return { align: (node.align ?? []).map((a) => a ?? null) };
    case 'footnoteReference':
    case 'footnoteDefinition':
      return { identifier: node.identifier.toLowerCase() };
    case 'mdxJsxFlowElement':
    case 'mdxJsxTextElement':
      return { name: node.name, attributes: node.attributes.map(attributeKey) };
    default:
      return {};
  }
}

function describe(node) {
  const text = plainText(node);
  const shown = node.value ?? text;
  const name = node.name ? ` <${node.name}>` : '';
  return shown ? `${node.type}${name} ${JSON.stringify(shown.length > 60 ? shown.slice(0, 57) + '…' : shown)}` : `${node.type}${name}`;
}

/** The builder's own expressions (not an author's raw MDX) must be plain
 * strings, whatever their source text looks like. */
function builderExpressionProblem(intended, parsed) {
  if (intended.data?.raw) return null;
  const expressions = [
    ...(parsed.type === 'mdxTextExpression' || parsed.type === 'mdxFlowExpression' ? [parsed] : []),
    ...(parsed.attributes ?? []).map((attribute) => attribute.value).filter((value) => value && typeof value === 'object'),
  ];
  const bad = expressions.find((expression) => plainString(expression) === undefined);
  return bad ? new LessonProblem(`MDX would run ${JSON.stringify(bad.value)} in ${describe(intended)}`, intended) : null;
}

/** The first difference between the intended tree and the one read back, or null. */
function firstDifference(intended, parsed) {
  if (intended.type !== parsed.type) {
    return new LessonProblem(`MDX would read ${describe(intended)} back as ${describe(parsed)}`, intended);
  }
  const unsafe = builderExpressionProblem(intended, parsed);
  if (unsafe) return unsafe;
  const want = JSON.stringify(essentials(intended));
  const got = JSON.stringify(essentials(parsed));
  if (want !== got) {
    return new LessonProblem(`MDX would change ${describe(intended)}: ${want} reads back as ${got}`, intended);
  }
  return childrenDifference(intended, intended.children ?? [], parsed.children ?? []);
}

/** Children compared in order; an author's raw MDX block stands for the
 * nodes it parsed to on its own. */
function childrenDifference(intended, wanted, found) {
  let next = 0;
  for (const child of wanted) {
    for (const meant of child.type === 'mdxRaw' ? child.nodes : [child]) {
      if (next >= found.length) return new LessonProblem(`MDX would lose ${describe(meant)} (in ${intended.type})`, meant);
      const difference = firstDifference(meant, found[next++]);
      if (difference) return difference;
    }
  }
  if (next < found.length) return new LessonProblem(`MDX would add ${describe(found[next])} (in ${intended.type})`, intended);
  return null;
}

function checkStructure(node) {
  for (const child of node.children ?? []) {
    if (child.type === 'mdxRaw') continue;
    if (node.type === 'paragraph' || node.type === 'heading') {
      if (!PHRASING.has(child.type)) throw new LessonProblem(`${child.type} inside ${node.type}`, child);
    }
    checkStructure(child);
  }
}

// ----------------------------------------------------------------------

function write(tree, timing) {
  const began = performance.now();
  checkStructure(tree);
  normalise(tree, null);
  keepLiteralUrlsText(tree);
  codeMarkdownCannotSay(tree);
  const mdx = toMarkdown(tree, WRITE_OPTIONS);
  const written = performance.now();
  timing.serialize = written - began;
  let parsed;
  try {
    parsed = fromMarkdown(mdx, PARSE_OPTIONS);
  } catch (error) {
    const line = error.place?.line ?? error.line;
    throw new LessonProblem(`the MDX written for this lesson does not parse (MDX line ${line}): ${error.reason ?? error.message}`, tree);
  }
  const difference = firstDifference(tree, parsed);
  timing.verify = performance.now() - written;
  if (difference) throw difference;
  return mdx;
}

function answer(request) {
  // Milliseconds spent serialising and verifying, for the benchmark.
  const timing = { serialize: 0, verify: 0 };
  try {
    return { id: request.id, mdx: write(request.tree, timing), timing };
  } catch (error) {
    if (error instanceof LessonProblem) {
      return { id: request.id, problems: [{ line: error.line, message: error.message }], timing };
    }
    return { id: request.id, problems: [{ line: null, message: `the MDX writer failed: ${error?.stack ?? error}` }], timing };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
process.stdout.write(JSON.stringify({ ready: true }) + '\n');
for await (const line of lines) {
  if (!line.trim()) continue;
  process.stdout.write(JSON.stringify(answer(JSON.parse(line))) + '\n');
}
