#!/usr/bin/env node
// `astro dev` for one site directory, through Astro's JavaScript API, until
// stdin closes or the process is stopped.
//
//   node tests/node/astro-dev.mjs --root SITE_DIR --port PORT
//
// Prints {"event": "ready", "url": ...} on stdout once the server listens.
// Exit status 0 after a clean stop, 1 when Astro failed, 2 on bad usage.

import path from 'node:path';

process.env.ASTRO_TELEMETRY_DISABLED = '1';

function parseArgs(argv) {
  const root = argv.indexOf('--root');
  const port = argv.indexOf('--port');
  if (root === -1 || port === -1 || !argv[root + 1] || !argv[port + 1]) return null;
  return { root: path.resolve(argv[root + 1]), port: Number(argv[port + 1]) };
}

const args = parseArgs(process.argv.slice(2));
if (args === null) {
  process.stderr.write('usage: astro-dev.mjs --root SITE_DIR --port PORT\n');
  process.exit(2);
}
const { dev } = await import('astro');
let server;
try {
  server = await dev({ root: args.root, logLevel: 'warn', server: { host: '127.0.0.1', port: args.port } });
} catch (error) {
  process.stderr.write(`astro dev failed: ${error?.stack ?? error}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ event: 'ready', url: `http://127.0.0.1:${server.address.port}` })}\n`);

async function stop() {
  await server.stop();
  process.exit(0);
}
// The caller stops the server by closing stdin (it never outlives the test)
// or with a signal.
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
