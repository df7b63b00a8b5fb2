import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { StartOverrides } from '../../bff/src/server.js';
import { buildWeb, launchChromium } from './browser.js';
import { type TestServer, startTestServer } from './testServer.js';

export interface BrowserSuite {
  t: TestServer;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * What a browser test file of the console or the public pages starts with: a test server (its own
 * clock) serving the SPA built for it, a Chromium, and the folder its screenshots go to.
 */
export async function startBrowserSuite(shots: string, env: Record<string, string> = {}, overrides: StartOverrides = {}): Promise<BrowserSuite> {
  const t = await startTestServer(env, overrides);
  await buildWeb(path.join(t.dir, 'web'));
  await mkdir(shots, { recursive: true });
  const browser = await launchChromium();
  return {
    t,
    browser,
    async stop() {
      await browser.close();
      await t.stop();
    },
  };
}
