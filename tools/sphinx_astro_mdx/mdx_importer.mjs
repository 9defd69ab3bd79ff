#!/usr/bin/env node
// The Node side of the MDX → MyST importer (sphinx_astro_mdx.importer).
//
// One JSON request on stdin, one JSON answer on stdout:
//   {"convert": [{"name", "text"}], "site": {...}}
//       → {"lessons": [{"name", "myst", "report"} | {"name", "error"}]}
//     Reads each hand-written lesson with the site's own MDX syntax and
//     writes it as MyST with mdast-util-to-markdown (CommonMark + GFM, which
//     MyST reads), plus the MyST the builder turns back into the site's
//     components: admonitions for callouts, ```mermaid for diagrams, and
//     ```{raw} mdx blocks that keep every other piece of MDX byte for byte.
//   {"compare": [{"name", "original", "written"}], "base": "/site-base"}
//       → {"lessons": [{"name", "differences": [...]}]}
//     Renders both versions of a lesson with @mdx-js/mdx and React, every
//     component a stub that shows its name and props, and compares what a
//     reader gets: the visible text, the components with their props, and
//     the elements that carry meaning (headings, lists, links, code…).

import { readFileSync } from 'node:fs';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { defaultHandlers, toMarkdown } from 'mdast-util-to-markdown';
import { gfmToMarkdown } from 'mdast-util-gfm';
import { frontmatterToMarkdown } from 'mdast-util-frontmatter';
import { MARKDOWN_STYLE, PARSE_OPTIONS, plainString } from './mdx_syntax.mjs';

// ----------------------------------------------------------------------
// reading a hand-written lesson

/** The lesson's tree, and what had to be repaired to read it: a `<` that
 * does not start a tag (`<1ms`) is what its author meant, the character. */
function parseLenient(text) {
  const repairs = [];
  for (;;) {
    try {
      return { tree: fromMarkdown(text, PARSE_OPTIONS), text, repairs };
    } catch (error) {
      const offset = error.place?.offset ?? error.place?.start?.offset;
      const opening = offset === undefined ? -1 : text.lastIndexOf('<', offset);
      if (error.source !== 'micromark-extension-mdx-jsx' || opening < 0 || repairs.length >= 1000) throw error;
      const line = text.slice(0, opening).split('\n').length;
      const closing = text.startsWith('<!--', opening) ? text.indexOf('-->', opening + 4) : -1;
      if (closing >= 0) {
        // An HTML comment (MDX has none): what its author meant, a comment.
        repairs.push({ line, message: 'an HTML comment <!-- … --> is not MDX: read as the MDX comment {/* … */}' });
        const body = text.slice(opening + 4, closing).replaceAll('*/', '* /');
        text = `${text.slice(0, opening)}{/*${body}*/}${text.slice(closing + 3)}`;
        continue;
      }
      repairs.push({ line, message: `"${text.slice(opening, opening + 6).split('\n')[0]}…" is not a tag: read as the character <` });
      text = `${text.slice(0, opening)}&lt;${text.slice(opening + 1)}`;
    }
  }
}

/** Attributes as name → string (true for a bare attribute), or null if any
 * is a spread or a value that is not a plain string. */
function plainAttributes(element) {
  const attributes = {};
  for (const attribute of element.attributes) {
    if (attribute.type !== 'mdxJsxAttribute') return null;
    const value = attribute.value;
    if (value === null || value === undefined) attributes[attribute.name] = true;
    else if (typeof value === 'string') attributes[attribute.name] = value;
    else {
      const string = plainString(value);
      if (string === undefined) return null;
      attributes[attribute.name] = string;
    }
  }
  return attributes;
}

class Converter {
  /** ``keptRaw``: the builder's components this lesson uses in MDX that
   * stays raw; their elements all stay raw and their imports stay (the
   * builder imports a component only for what it writes itself). */
  constructor(text, site, keptRaw = new Set()) {
    this.text = text;
    this.site = site;
    this.keptRaw = keptRaw;
    // Names of the JSX elements inside the raw blocks made so far.
    this.rawNames = new Set();
    this.report = { raw: [], code: [], repairs: [], notes: [] };
  }

  line(node) {
    return node.position?.start.line ?? null;
  }

  /** The node's source, exactly; continuation lines lose the indentation
   * or blockquote markers of the containers it sat in (the MyST container
   * around the raw block gives them back). */
  source(node) {
    const { start, end } = node.position;
    const lines = this.text.slice(start.offset, end.offset).split('\n');
    const prefix = this.text.slice(start.offset - (start.column - 1), start.offset);
    // A blank line in a blockquote is often `>` without its space.
    const bare = prefix.trimEnd();
    const strip = (line) => (line.startsWith(prefix) ? line.slice(prefix.length) : bare && line.trimEnd() === bare ? '' : line);
    return lines.map((line, index) => (index ? strip(line) : line)).join('\n');
  }

  /** A raw MDX block of ``node``: its source, or ``value`` (part of it). */
  raw(node, what, value = this.source(node)) {
    this.report.raw.push({ line: this.line(node), what });
    const collect = (inner) => {
      if ((inner.type === 'mdxJsxFlowElement' || inner.type === 'mdxJsxTextElement') && inner.name) this.rawNames.add(inner.name);
      for (const child of inner.children ?? []) collect(child);
    };
    collect(node);
    return { type: 'mystDirective', name: 'raw', argument: 'mdx', value };
  }

  convertRoot(tree) {
    const children = this.flow(tree.children);
    const hasTitleHeading = children.some((child) => child.type === 'heading' && child.depth === 1);
    // After the front matter and the imports kept as raw MDX.
    let position = 0;
    while (children[position]?.type === 'yaml' || (children[position]?.name === 'raw' && /^(import|export)\s/.test(children[position].value))) position++;
    if (!hasTitleHeading && this.site.title) {
      // The site shows the title from the front matter; here it is the
      // document's first heading (the builder leaves it out again), and the
      // lesson's ## headings stay its sections.
      children.splice(position, 0, { type: 'heading', depth: 1, children: [{ type: 'text', value: this.site.title }] });
    }
    return { type: 'root', children };
  }

  flow(nodes) {
    return nodes.flatMap((node) => this.block(node));
  }

  block(node) {
    switch (node.type) {
      case 'mdxjsEsm':
        return this.esm(node);
      case 'mdxJsxFlowElement':
        return this.element(node);
      case 'mdxFlowExpression':
        return [this.raw(node, plainString(node) === undefined ? 'an MDX expression or comment' : 'a string expression')];
      case 'paragraph':
      case 'heading': {
        const { converted, jsx } = this.phrasing(node);
        return [jsx ? this.raw(node, `${node.type} with ${jsx}`) : converted];
      }
      case 'table': {
        // A cell cannot hold a raw block: a table with MDX in a cell stays MDX.
        let jsx = null;
        const rows = node.children.map((row) => ({
          ...row,
          children: row.children.map((cell) => {
            const phrased = this.phrasing(cell);
            jsx ??= phrased.jsx;
            return phrased.converted;
          }),
        }));
        return [jsx ? this.raw(node, `table with ${jsx}`) : { ...node, children: rows }];
      }
      case 'list': {
        // Raw MDX in an item would make a tight list loose (and a check
        // list item without a paragraph loses its box): such a list stays
        // MDX as a whole.
        const before = this.report.raw.length;
        const list = { ...node, children: this.flow(node.children) };
        if (this.report.raw.length === before) return [list];
        this.report.raw.splice(before);
        return [this.raw(node, 'list with MDX in an item')];
      }
      case 'code':
        return [this.code(node)];
      case 'html':
        return [this.raw(node, 'HTML')];
      default:
        return node.children ? [{ ...node, children: this.flow(node.children) }] : [node];
    }
  }

  esm(node) {
    // Imports of the components the builder writes itself go (it imports
    // them again where a lesson uses them); any other statement stays as
    // its author wrote it.
    const body = node.data?.estree?.body ?? [];
    const provided = new Set(this.site.builderComponents.filter((name) => !this.keptRaw.has(name)));
    const isProvided = (statement) =>
      statement.type === 'ImportDeclaration' && statement.specifiers.length > 0 && statement.specifiers.every((specifier) => provided.has(specifier.local.name));
    if (!body.some(isProvided)) return [this.raw(node, 'an import or export')];
    const kept = body.filter((statement) => !isProvided(statement));
    if (kept.length === 0) return [];
    return [this.raw(node, 'an import or export', kept.map((statement) => this.text.slice(statement.start, statement.end)).join('\n'))];
  }

  element(node) {
    if (this.keptRaw.has(node.name)) return [this.raw(node, `<${node.name}>`)];
    const attributes = plainAttributes(node);
    const callout = this.site.callout;
    // (A callout without content has no admonition form: it stays MDX.)
    const kind = callout && node.name === callout.name && attributes && node.children.length > 0 ? this.calloutKind(attributes) : undefined;
    if (kind !== undefined) return [this.callout(node, attributes, kind)];
    const mermaid = this.site.mermaid;
    if (mermaid && node.name === mermaid.name && attributes && typeof attributes.chart === 'string') {
      const others = Object.keys(attributes).filter((name) => name !== 'chart' && !name.startsWith('client:'));
      if (others.length === 0 && node.children.length === 0) {
        return [{ type: 'code', lang: 'mermaid', meta: null, value: attributes.chart.replace(/^\n+|\s+$/g, '') }];
      }
    }
    return [this.raw(node, `<${node.name ?? ''}>`)];
  }

  calloutKind(attributes) {
    const extra = Object.keys(attributes).filter((name) => name !== 'type' && name !== 'title');
    if (extra.length || typeof attributes.type !== 'string' || !Object.hasOwn(this.site.callout.kinds, attributes.type)) return undefined;
    return this.site.callout.kinds[attributes.type];
  }

  callout(node, attributes, kind) {
    const children = this.flow(node.children);
    if (typeof attributes.title === 'string' && attributes.title.trim() !== '') {
      return { type: 'mystDirective', name: 'admonition', argument: attributes.title.replace(/[\r\n]+/g, ' '), options: [['class', attributes.type]], children };
    }
    return { type: 'mystDirective', name: kind, argument: '', options: [['class', this.site.untitledClass]], children };
  }

  code(node) {
    this.report.code.push({ line: this.line(node), lang: node.lang ?? null });
    if (node.meta) this.report.notes.push({ line: this.line(node), message: `the code fence's "${node.meta}" after the language is not kept` });
    const lang = node.lang ?? null;
    if (lang && (this.site.fenceDirectives.includes(lang) || lang.startsWith('{'))) {
      // A fence MyST would read as a directive (```mermaid is a diagram here):
      // a code block says it is code.
      return { type: 'mystDirective', name: 'code-block', argument: lang, value: node.value };
    }
    return { type: 'code', lang, meta: null, value: node.value };
  }

  /** The inline content of a paragraph, heading or table cell, and the
   * first piece of MDX in it that has no MyST form (inline JSX, an
   * expression other than a plain string), if any. */
  phrasing(node) {
    let jsx = null;
    const walk = (child) => {
      if (child.type === 'mdxJsxTextElement') jsx ??= `<${child.name ?? ''}>`;
      else if (child.type === 'mdxTextExpression') {
        const string = plainString(child);
        if (string === undefined) jsx ??= 'an inline MDX expression';
        return { type: 'text', value: string ?? '' };
      } else if (child.type === 'delete') jsx ??= 'strikethrough';
      return child.children ? { ...child, children: child.children.map(walk) } : child;
    };
    return { converted: { ...node, children: node.children.map(walk) }, jsx };
  }
}

// ----------------------------------------------------------------------
// writing MyST

function longestRun(value, character) {
  let longest = 0;
  for (const run of value.match(new RegExp(`${character === '`' ? '`' : ':'}+`, 'g')) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** ```{name} argument / :::{name} argument, options, body, close. A body of
 * Markdown takes a colon fence longer than any inside it. */
function mystDirective(node, _, state, info) {
  const options = (node.options ?? []).map(([name, value]) => `:${name}: ${value}`);
  // The argument (an admonition's title) is inline Markdown to MyST: it is
  // escaped as the text of a paragraph is.
  let argument = '';
  if (node.argument && node.children) {
    const exit = state.enter('phrasing');
    const title = { type: 'paragraph', children: [{ type: 'text', value: node.argument }] };
    argument = ` ${state.containerPhrasing(title, { before: ' ', after: '\n', now: { line: 1, column: 1 }, lineShift: 0 })}`;
    exit();
  } else if (node.argument) {
    argument = ` ${node.argument}`;
  }
  if (node.children) {
    const exit = state.enter('mystDirective');
    const body = state.containerFlow(node, state.createTracker(info).current());
    exit();
    const fence = ':'.repeat(Math.max(3, longestRun(body, ':') + 1));
    return [`${fence}{${node.name}}${argument}`, ...options, body, fence].filter((part) => part !== '').join('\n');
  }
  const fence = '`'.repeat(Math.max(3, longestRun(node.value, '`') + 1));
  // MyST reads leading `:name:` or `---` lines as options: a blank line
  // first (which MyST drops) keeps them content.
  const value = /^[ \t]*(:|---)|^\n/.test(node.value) ? `\n${node.value}` : node.value;
  return [`${fence}{${node.name}}${argument}`, ...options, value, fence].join('\n');
}

/** Text as the serializer writes it, with no-break spaces (`&nbsp;` in
 * the original) written as `&nbsp;`, which MyST reads back: an author
 * editing the lesson sees them. */
function visibleText(node, parent, state, info) {
  return defaultHandlers.text(node, parent, state, info).replaceAll('\u00a0', '&nbsp;');
}

const MYST_OPTIONS = {
  extensions: [gfmToMarkdown({ tablePipeAlign: false }), frontmatterToMarkdown(['yaml'])],
  ...MARKDOWN_STYLE,
  handlers: { mystDirective, text: visibleText },
  unsafe: [
    // What MyST reads beyond CommonMark, kept text: a colon fence or a
    // definition (`:` at a line start), a comment (`%`), a target
    // (`(name)=`), a block break (`+++`), a role ({name} before a code span).
    { character: ':', atBreak: true },
    { character: '%', atBreak: true },
    { character: '(', atBreak: true },
    { character: '+', atBreak: true, after: '\\+\\+' },
    { character: '}', after: '`' },
  ],
};

function convert({ name, text }, site) {
  let parsed;
  try {
    parsed = parseLenient(text);
  } catch (error) {
    const line = error.place?.line ?? error.place?.start?.line ?? error.line ?? null;
    return { name, error: { line, message: `not valid MDX: ${error.reason ?? error.message}` } };
  }
  // Again, keeping the builder's components raw wherever raw MDX uses one,
  // until no new one turns up.
  let keptRaw = new Set();
  let converter, root;
  for (;;) {
    converter = new Converter(parsed.text, site, keptRaw);
    root = converter.convertRoot(structuredClone(parsed.tree));
    const more = site.builderComponents.filter((component) => converter.rawNames.has(component) && !keptRaw.has(component));
    if (more.length === 0) break;
    keptRaw = new Set([...keptRaw, ...more]);
  }
  converter.report.repairs = parsed.repairs;
  const myst = toMarkdown(root, MYST_OPTIONS);
  return { name, myst, read: parsed.text, report: converter.report };
}

// ----------------------------------------------------------------------
// comparing what a reader gets

async function renderer() {
  const [{ evaluate }, runtime, { renderToStaticMarkup }, React, remarkGfm] = await Promise.all([
    import('@mdx-js/mdx'),
    import('react/jsx-runtime'),
    import('react-dom/server'),
    import('react'),
    import('remark-gfm'),
  ]);
  /** The page's HTML, with components as stubs: the ones the page imports
   * and ``provided`` (names a site gives every page; null: every name the
   * page uses); and which names it uses without importing them. */
  return async function render(text, provided) {
    const body = text.replace(/^\uFEFF/, '').replace(/^---\n[\s\S]*?\n---\n/, '');
    const imported = new Set();
    const used = new Set();
    // Imports cannot run here (components are .tsx files of the site): they
    // go, and what they import becomes a stub; other ESM stays.
    const dropImports = () => (tree) => {
      const visit = (node) => {
        if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.name && /^[A-Z]/.test(node.name)) used.add(node.name);
        if (!node.children) return;
        node.children = node.children.filter((child) => {
          if (child.type !== 'mdxjsEsm' || !child.data?.estree) return true;
          const statements = child.data.estree.body;
          for (const statement of statements) {
            if (statement.type === 'ImportDeclaration') for (const specifier of statement.specifiers) imported.add(specifier.local.name);
          }
          child.data.estree.body = statements.filter((statement) => statement.type !== 'ImportDeclaration');
          return child.data.estree.body.length > 0;
        });
        node.children.forEach(visit);
      };
      visit(tree);
    };
    const stub = (name) => (props) => {
      const { children, ...rest } = props;
      return React.createElement('mdx-component', { 'data-name': name, 'data-props': stableJson(rest) }, children);
    };
    const { default: Content } = await evaluate(body, { ...runtime, remarkPlugins: [remarkGfm.default, dropImports] });
    // Known once the plugin has seen the tree.
    const stubbed = provided === null ? used : new Set([...imported, ...provided]);
    const components = Object.fromEntries([...stubbed].map((name) => [name, stub(name)]));
    return {
      html: renderToStaticMarkup(React.createElement(Content, { components })),
      unimported: new Set([...used].filter((name) => !imported.has(name))),
    };
  };
}

function stableJson(value) {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`).join(',')}}`;
  if (typeof value === 'function') return '"<function>"';
  return JSON.stringify(value ?? null);
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0' };
function decode(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity) => {
    if (entity[0] === '#') return String.fromCodePoint(entity[1].toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

// Elements whose presence or attributes a reader notices (paragraphs are
// left out: a loose list puts its items' text in <p>, a tight one does not).
const MEANINGFUL = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'table', 'th', 'td', 'pre', 'code', 'a', 'img', 'input', 'blockquote', 'strong', 'em', 'hr', 'details', 'summary', 'del', 'sub', 'sup', 'mdx-component', 'svg']);
const KEPT_ATTRIBUTES = new Set(['href', 'src', 'alt', 'title', 'checked', 'class', 'start', 'data-name', 'data-props', 'align', 'style']);

/** What a reader gets from a rendered page: its text and its meaningful elements. */
function reading(html, base) {
  const elements = [];
  for (const match of html.matchAll(/<([a-z][a-z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const [, tag, rawAttributes] = match;
    if (!MEANINGFUL.has(tag)) continue;
    const attributes = [];
    for (const [, name, value] of rawAttributes.matchAll(/\s+([^\s=>]+)(?:="([^"]*)")?/g)) {
      if (!KEPT_ATTRIBUTES.has(name)) continue;
      let shown = decode(value ?? '');
      if (name === 'href') shown = siteHref(shown, base);
      // A footnote's label is not shown (footnotes are numbered in order);
      // the builder names them after docutils' ids.
      if (name === 'href') shown = shown.replace(/^#user-content-fn(ref)?-.*$/, '#user-content-fn$1');
      attributes.push(`${name}=${shown}`);
    }
    elements.push(attributes.length ? `<${tag} ${attributes.join(' ')}>` : `<${tag}>`);
  }
  const text = decode(html.replace(/<[^>]*>/g, ' ')).replace(/[ \t\r\n]+/g, ' ').trim();
  // Code keeps its white space: indentation and line breaks are its meaning.
  const code = [...html.matchAll(/<pre[^>]*>([\s\S]*?)<\/pre>/g)].map(([, inner]) => decode(inner.replace(/<[^>]*>/g, '')));
  return { elements, text, code };
}

/** A site path without the base and a final slash: a link written with or
 * without them leads to the same page. */
function siteHref(href, base) {
  let path = href;
  try {
    path = decodeURI(href);
  } catch {}
  if (base && (path === base || path.startsWith(`${base}/`))) path = path.slice(base.length) || '/';
  return path.replace(/\/(?=#|$)/, '') || '/';
}

function firstDifference(label, want, got) {
  const length = Math.min(want.length, got.length);
  let index = 0;
  while (index < length && want[index] === got[index]) index++;
  if (index === length && want.length === got.length) return null;
  const around = (list) =>
    Array.isArray(list) ? JSON.stringify(list.slice(Math.max(0, index - 1), index + 2)) : JSON.stringify(list.slice(Math.max(0, index - 30), index + 50));
  return `${label} differ: the original has ${around(want)}, the lesson written from MyST has ${around(got)}`;
}

async function compare(pairs, base) {
  const render = await renderer();
  const lessons = [];
  for (const { name, original, written } of pairs) {
    const differences = [];
    let before, after;
    // Components the original uses without importing them come from the
    // site; any other component the written lesson uses, it must import.
    let provided;
    try {
      const rendered = await render(original, null);
      provided = rendered.unimported;
      before = reading(rendered.html, base);
    } catch (error) {
      lessons.push({ name, differences: [`the original does not render: ${error.message}`] });
      continue;
    }
    try {
      after = reading((await render(written, provided)).html, base);
    } catch (error) {
      lessons.push({ name, differences: [`the written lesson does not render: ${error.message}`] });
      continue;
    }
    const components = (reading) => reading.elements.filter((element) => element.startsWith('<mdx-component'));
    for (const difference of [
      firstDifference('the texts', before.text, after.text),
      firstDifference('the components', components(before), components(after)),
      firstDifference('the elements', before.elements, after.elements),
      firstDifference('the code blocks', before.code, after.code),
    ]) {
      if (difference) differences.push(difference);
    }
    lessons.push({ name, differences });
  }
  return lessons;
}

// ----------------------------------------------------------------------

const request = JSON.parse(readFileSync(0, 'utf8'));
let result;
if (request.convert) result = { lessons: request.convert.map((lesson) => convert(lesson, { ...request.site, title: lesson.title })) };
else result = { lessons: await compare(request.compare, request.base ?? '') };
process.stdout.write(JSON.stringify(result));
