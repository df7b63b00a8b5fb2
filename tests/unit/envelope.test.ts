import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Envelope, loadMasterKey } from '../../bff/src/crypto/envelope.js';

describe('envelope encryption', () => {
  const envelope = new Envelope(randomBytes(32));
  const plaintext = Buffer.from('姓名 张伟 110105198803120313');

  it('opens what it sealed, and seals the same data differently each time', () => {
    const a = envelope.seal(plaintext, 'obj-1');
    const b = envelope.seal(plaintext, 'obj-1');
    expect(envelope.open(a, 'obj-1').equals(plaintext)).toBe(true);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(plaintext)).toBe(false);
  });

  it('refuses an object under another id', () => {
    expect(() => envelope.open(envelope.seal(plaintext, 'obj-1'), 'obj-2')).toThrow();
  });

  it('refuses a tampered object', () => {
    const sealed = envelope.seal(plaintext, 'obj-1');
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    expect(() => envelope.open(sealed, 'obj-1')).toThrow();
  });

  it('refuses an object sealed with another master key', () => {
    expect(() => new Envelope(randomBytes(32)).open(envelope.seal(plaintext, 'obj-1'), 'obj-1')).toThrow();
  });

  it('refuses what is not a sealed object', () => {
    expect(() => envelope.open(Buffer.from('plain'), 'obj-1')).toThrow(/not a sealed object/);
  });

  it('generates a master key once, owner-readable only, and reuses it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'key-'));
    try {
      const first = await loadMasterKey(undefined, dir);
      const second = await loadMasterKey(undefined, dir);
      expect(first.length).toBe(32);
      expect(second.equals(first)).toBe(true);
      expect((await stat(path.join(dir, 'master.key'))).mode & 0o077).toBe(0);
      expect((await readFile(path.join(dir, 'master.key'), 'utf8')).trim()).toBe(first.toString('base64'));
      const fromEnv = randomBytes(32);
      expect((await loadMasterKey(fromEnv.toString('base64'), dir)).equals(fromEnv)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
