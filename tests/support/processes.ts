import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ApiClient } from './api.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Bff {
  child: ChildProcess;
  url: string;
  api: ApiClient;
  /** Everything it logged. */
  log: () => string;
}

/** The BFF as `npm start` runs it, in a process of its own (so it can be killed), with `env` over the test's environment. */
export function spawnBff(env: Record<string, string>): Promise<Bff> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bff/src/server.ts'], {
    cwd: ROOT,
    // It says where it listens in its log: always at the info level.
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the BFF did not start:\n${log}`)), 120_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const url = /listening on (http:\/\/\S+)/.exec(log)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, api: new ApiClient(url), log: () => log });
      }
    });
    child.once('exit', (code) => reject(new Error(`the BFF exited (${code}):\n${log}`)));
  });
}

/** Ends a BFF at once (SIGKILL: no cleanup, as a crash or the OOM killer would). */
export function kill(bff: Bff): Promise<void> {
  return new Promise((resolve) => {
    if (bff.child.exitCode !== null || bff.child.signalCode !== null) return resolve();
    bff.child.once('exit', () => resolve());
    bff.child.kill('SIGKILL');
  });
}

/** Waits for a condition, checked every 50 ms; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
