import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A face photo from tests/fixtures/faces (see its README for provenance). */
export function facePhoto(relative: string): Promise<Buffer> {
  return readFile(new URL(`../fixtures/faces/${relative}`, import.meta.url));
}

export const TEST_TODAY = { year: 2026, month: 11, day: 22 } as const;
