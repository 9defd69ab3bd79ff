#!/usr/bin/env node
// `astro build` for one site directory, through Astro's JavaScript API.
//
//   node tests/node/astro-build.mjs --root SITE_DIR
//
// SITE_DIR is a copy of the fixture site with lessons and one variant's
// components (debezium_course/node_tools.py, copy_fixture_site).
//
// The exported build() is the build `astro build` runs; calling it directly
// lets this script set the log level and report Astro's errors with their
// file:line:column, without parsing the CLI's output. (It also kept the
// fixture building when it ran on Astro 6, whose CLI launcher refused Node
// < 22.12; the astro 5 launcher accepts Node >= 18.20.8.)
//
// Exit status 0 when the site built, 1 when Astro reported an error (printed
// on stderr with its file:line:column when Astro gives one), 2 on bad usage.

import path from 'node:path';

// Set before Astro is loaded: its telemetry reads this when it starts.
process.env.ASTRO_TELEMETRY_DISABLED = '1';

function parseArgs(argv) {
  const index = argv.indexOf('--root');
  if (index === -1 || !argv[index + 1] || argv.length !== 2) return null;
  return { root: path.resolve(argv[index + 1]) };
}

function formatError(error) {
  const lines = [];
  const where = error.loc?.file
    ? `${error.loc.file}:${error.loc.line ?? 0}:${error.loc.column ?? 0}: `
    : '';
  lines.push(`${where}${error.name ?? 'Error'}: ${error.title ?? ''}`.trimEnd());
  lines.push(String(error.message ?? error));
  if (error.hint) lines.push(`Hint: ${error.hint}`);
  if (error.frame) lines.push(error.frame);
  // Astro's own errors explain themselves; anything else is a bug in the
  // site or the toolchain, where the stack is what is needed.
  if (!error.title && error.stack) lines.push(error.stack);
  return lines.join('\n');
}

const args = parseArgs(process.argv.slice(2));
if (!args) {
  process.stderr.write('usage: astro-build.mjs --root SITE_DIR\n');
  process.exit(2);
}

const { build } = await import('astro');
try {
  await build({ root: args.root, logLevel: 'info' });
} catch (error) {
  process.stderr.write(`astro build failed\n${formatError(error)}\n`);
  process.exitCode = 1;
}
