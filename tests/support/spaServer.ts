import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../bff/src/config.js';
import { createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { type RunningServer, start } from '../../bff/src/server.js';
import { buildWeb } from './browser.js';
import { SHOTS } from './buyerSteps.js';
import { testEnv } from './testServer.js';

export interface SpaServer {
  dir: string;
  server: RunningServer;
  stop(): Promise<void>;
}

/**
 * The SPA built and served by a sandbox BFF of its own (a vision thread, a data folder in a temporary
 * folder), for a browser test file; `env` adds to the test settings.
 */
export async function startSpaServer(prefix: string, env: Record<string, string> = {}): Promise<SpaServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await mkdir(SHOTS, { recursive: true });
  await buildWeb(path.join(dir, 'web'));
  const engine = createVisionEngine({ threads: 1, maxQueue: 16 });
  const server = await start(loadConfig({ ...testEnv(dir), LOG_LEVEL: 'error', ...env }), { engine });
  return {
    dir,
    server,
    async stop() {
      await server.stop();
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
