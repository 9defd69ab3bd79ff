// The MDX syntax the course site reads: micromark with MDX (JSX, ESM,
// expressions), GFM and YAML front matter, as @astrojs/mdx runs it.  The
// writer verifies what it writes with it; the importer reads lessons with it.

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
