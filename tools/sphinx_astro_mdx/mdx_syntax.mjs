// The MDX syntax the course site reads: micromark with MDX (JSX, ESM,
// expressions), GFM and YAML front matter, as @astrojs/mdx runs it.  The
// writer verifies what it writes with it; the importer reads lessons with it.
// Also what both write alike: the Markdown style, and plain strings.

import { mdxFromMarkdown } from 'mdast-util-mdx';
import { mdxjs } from 'micromark-extension-mdxjs';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { frontmatter } from 'micromark-extension-frontmatter';

export const PARSE_OPTIONS = {
  extensions: [mdxjs(), gfm(), frontmatter(['yaml'])],
  mdastExtensions: [mdxFromMarkdown(), gfmFromMarkdown(), frontmatterFromMarkdown(['yaml'])],
};

/** The Markdown style of everything written here (MDX and imported MyST),
 * for mdast-util-to-markdown. */
export const MARKDOWN_STYLE = {
  bullet: '-',
  emphasis: '*',
  strong: '*',
  fence: '`',
  rule: '-',
  listItemIndent: 'one',
};

/** The single JavaScript value of a parsed MDX expression when it is a plain
 * string (a string literal or a template literal without substitutions),
 * else undefined. */
export function plainString(expression) {
  const body = expression?.data?.estree?.body ?? [];
  const only = body.length === 1 && body[0].type === 'ExpressionStatement' ? body[0].expression : null;
  if (only?.type === 'Literal' && typeof only.value === 'string') return only.value;
  if (only?.type === 'TemplateLiteral' && only.expressions.length === 0) return only.quasis[0].value.cooked;
  return undefined;
}
