#!/usr/bin/env node
// Heading anchors as the course site makes them: github-slugger, the library
// Astro uses for heading ids. Reads a JSON list of heading texts on stdin and
// prints the JSON list of slugs. One slugger serves the whole list, as one
// page does, so a repeated heading gets "-1", "-2", … like on the site.
//
//   echo '["Введение", "Введение"]' | node tests/node/slug.mjs
//   ["введение","введение-1"]

import GithubSlugger from 'github-slugger';
import { readStdinJson } from './io.mjs';

const headings = await readStdinJson('slug');
if (headings === undefined) process.exit(2);
if (!Array.isArray(headings) || !headings.every((h) => typeof h === 'string')) {
  process.stderr.write('slug: stdin must be a JSON list of strings\n');
  process.exit(2);
}
const slugger = new GithubSlugger();
process.stdout.write(JSON.stringify(headings.map((heading) => slugger.slug(heading))));
