import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Values a test file computes about its fixtures (where a face is in a photo, a face's mesh), kept
 * for the run's other files in TEST_RUN_CACHE (RUN_CACHE_DIR, set by vite.config.ts): numbers
 * only, never an image. Each file would otherwise load the face models in its own process to find
 * the same few faces again.
 */
export interface RunCache<T> {
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<void>;
}

export function runCache<T>(folder: string): RunCache<T> | undefined {
  const root = process.env.TEST_RUN_CACHE;
  if (!root) return undefined;
  const dir = path.join(root, folder);
  const file = (key: string) => path.join(dir, `${key.replace(/[^\w.-]/g, '_')}.json`);
  return {
    async get(key) {
      try {
        return JSON.parse(await readFile(file(key), 'utf8')) as T;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      await mkdir(dir, { recursive: true });
      // Written aside and renamed: another file reading at the same moment sees all of it or nothing.
      const aside = `${file(key)}.${randomBytes(6).toString('hex')}`;
      await writeFile(aside, JSON.stringify(value));
      await rename(aside, file(key));
    },
  };
}

/** The run's folder (vite.config.ts runs in the process that runs the global setup). */
export const RUN_CACHE_DIR = path.join(os.tmpdir(), `sim-test-run-${process.pid}`);

/** Global setup: the run's cache folder is removed when the run ends. */
export default function setup(): () => Promise<void> {
  return () => rm(RUN_CACHE_DIR, { recursive: true, force: true });
}
