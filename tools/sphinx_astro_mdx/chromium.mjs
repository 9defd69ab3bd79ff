// How every tool of the project starts Chromium: the system's browser
// (Debian's `chromium`), driven by playwright-core from node_modules; no
// browser is ever downloaded.  The mdx builder draws diagrams with it, the
// test suite opens pages with it.

import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Options that keep Chromium from talking to Google's services on its own
// (component updates, sync, field trials): such traffic is not the page's,
// and it must not leave the machine.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--metrics-recording-only',
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
