#!/usr/bin/env node
// `astro build` for one site directory, through Astro's JavaScript API.
//
//   node tests/node/astro-build.mjs --root tests/astro-site
//
// Why not node_modules/.bin/astro: every astro 6.x command-line launcher
// refuses to start on Node < 22.12, although astro 6.0.0–6.0.5 declare
// "node": "^20.19.1 || >=22.12.0" in package.json and run on Node 20.19+.
// The exported build() is the same build the CLI command runs, minus that
// version gate.
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
