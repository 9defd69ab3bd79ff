#!/usr/bin/env node
// The beautiful-mermaid side of tools/debezium_course/bench/diagram_renderers.py: draws
// Mermaid charts with beautiful-mermaid (node_modules, no DOM, no browser),
// speaking the same kind of NDJSON as tools/sphinx_astro_mdx/diagram_renderer.mjs
// so that the bench times both the same way.
//
// Once the module is imported it prints
//   {"ready": true, "beautifulMermaid": "<version>"}
// then answers each request line, in order, until stdin closes:
//   request  {"id": N, "source": "<chart>", "options": {<RenderOptions>}}
//   answer   {"id": N, "svg": "<svg markup>", "ms": <render time>}
//         or {"id": N, "error": {"message": "…"}, "ms": <time until it threw>}
// The markup is returned as the library produced it: the bench parses it.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const { renderMermaidSVG } = await import('beautiful-mermaid');

/** The installed version: the package's "exports" hide its package.json
 * from require(), so look for it above the module's entry file. */
function installedVersion(name) {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (manifest.name === name) return manifest.version;
    } catch {
      // no package.json here: keep climbing
    }
  }
  return null;
}

const VERSION = installedVersion('beautiful-mermaid');

process.stdout.write(JSON.stringify({ ready: true, beautifulMermaid: VERSION }) + '\n');

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  const began = performance.now();
  let answer;
  try {
    answer = { svg: renderMermaidSVG(request.source, request.options ?? {}) };
  } catch (error) {
    answer = { error: { message: String(error?.message ?? error) } };
  }
  process.stdout.write(JSON.stringify({ id: request.id, ...answer, ms: performance.now() - began }) + '\n');
}
