import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Envelope } from '../../crypto/envelope.js';
import type { EvidenceStorage } from './storage.port.js';

const ID_PATTERN = /^[0-9a-f-]{36}$/;

/** Encrypted files on local disk: DATA_DIR/evidence/<2 chars>/<id>. */
export class FsEvidenceStorage implements EvidenceStorage {
  constructor(
    private readonly root: string,
    private readonly envelope: Envelope,
  ) {}

  private fileFor(id: string): string {
    if (!ID_PATTERN.test(id)) throw new Error('bad evidence id');
    return path.join(this.root, id.slice(0, 2), id);
  }

  async put(data: Buffer): Promise<string> {
    const id = randomUUID();
    const file = this.fileFor(id);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename, so a crash never leaves a half-written object under a valid name.
    const temp = `${file}.tmp`;
    await writeFile(temp, this.envelope.seal(data, id), { mode: 0o600 });
    await rename(temp, file);
    return id;
  }

  async get(id: string): Promise<Buffer> {
    return this.envelope.open(await readFile(this.fileFor(id)), id);
  }

  async delete(id: string): Promise<void> {
    await rm(this.fileFor(id), { force: true });
  }

  async *list(): AsyncIterable<string> {
    const shards = await readdir(this.root).catch(() => [] as string[]);
    for (const shard of shards.sort()) {
      const names = await readdir(path.join(this.root, shard)).catch(() => [] as string[]);
      for (const name of names.sort()) if (ID_PATTERN.test(name)) yield name;
    }
  }

  async rewrap(id: string, change: (sealed: Buffer) => Buffer | undefined): Promise<boolean> {
    const file = this.fileFor(id);
    const sealed = await readFile(file).catch(() => undefined);
    const changed = sealed && change(sealed);
    if (!changed) return false;
    const temp = `${file}.rewrap.tmp`;
    await writeFile(temp, changed, { mode: 0o600 });
    // An object deleted while it was being re-wrapped stays deleted (its retention ended).
    if (!(await readFile(file).then(() => true, () => false))) {
      await rm(temp, { force: true });
      return false;
    }
    await rename(temp, file);
    return true;
  }
}
