import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Envelope } from '../../bff/src/crypto/envelope.js';
import { Keyring, activateStagedKey, finishRotation, keyringFromMasterKey, newKeyring, retireKeys, stageEvidenceKey } from '../../bff/src/crypto/keyring.js';
import { FileKeySource } from '../../bff/src/providers/keys/file.keys.js';
import { EnvKeySource, encodeKeyring } from '../../bff/src/providers/keys/env.keys.js';

const plaintext = Buffer.from('姓名 张伟 110105198803120313');

/** An object as installations before keyrings sealed it: "SIE1", no key id, the master key wrapping the data key. */
function legacySeal(masterKey: Buffer, data: Buffer, id: string): Buffer {
  const gcm = (key: Buffer, input: Buffer): Buffer[] => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(id));
    const out = Buffer.concat([cipher.update(input), cipher.final()]);
    return [iv, cipher.getAuthTag(), out];
  };
  const dataKey = randomBytes(32);
  return Buffer.concat([Buffer.from('SIE1'), ...gcm(masterKey, dataKey), ...gcm(dataKey, data)]);
}

describe('envelope encryption', () => {
  const envelope = new Envelope(new Keyring(newKeyring()));

  it('opens what it sealed, and seals the same data differently each time', () => {
    const a = envelope.seal(plaintext, 'obj-1');
    const b = envelope.seal(plaintext, 'obj-1');
    expect(envelope.open(a, 'obj-1').equals(plaintext)).toBe(true);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(plaintext)).toBe(false);
  });

  it('names the key it sealed with in the header', () => {
    expect(envelope.keyIdOf(envelope.seal(plaintext, 'obj-1'))).toBe(envelope.keyring.activeId);
  });

  it('refuses an object under another id', () => {
    expect(() => envelope.open(envelope.seal(plaintext, 'obj-1'), 'obj-2')).toThrow();
  });

  it('refuses a tampered object', () => {
    const sealed = envelope.seal(plaintext, 'obj-1');
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    expect(() => envelope.open(sealed, 'obj-1')).toThrow();
  });

  it('refuses an object sealed under a key it does not hold', () => {
    expect(() => new Envelope(new Keyring(newKeyring())).open(envelope.seal(plaintext, 'obj-1'), 'obj-1')).toThrow(/does not hold/);
  });

  it('refuses what is not a sealed object', () => {
    expect(() => envelope.open(Buffer.from('plain'), 'obj-1')).toThrow(/not a sealed object/);
  });
});

describe('keys', () => {
  it('opens the objects of an installation made before keyrings, and keeps its digests', () => {
    const master = randomBytes(32);
    const legacy = legacySeal(master, plaintext, 'obj-1');
    const envelope = new Envelope(new Keyring(keyringFromMasterKey(master)));
    expect(envelope.open(legacy, 'obj-1').equals(plaintext)).toBe(true);
    expect(envelope.keyIdOf(legacy)).toBe('k0');
  });

  it('rotates the evidence key: old objects still open, re-wrapped ones open under the new key only, digests stay', () => {
    const first = newKeyring();
    const before = new Envelope(new Keyring(first));
    const sealed = before.seal(plaintext, 'obj-1');
    const digest = before.digest('110105198803120313', 'id-number');

    const staged = stageEvidenceKey(first, new Date());
    expect(new Keyring(staged).activeId).toBe(first.evidence.active);
    const rotated = activateStagedKey(staged);
    const after = new Envelope(new Keyring(rotated));
    expect(after.keyring.activeId).toBe(staged.rotation?.to);
    expect(after.open(sealed, 'obj-1').equals(plaintext)).toBe(true);

    const rewrapped = after.rewrap(sealed, 'obj-1');
    expect(rewrapped && after.keyIdOf(rewrapped)).toBe(rotated.evidence.active);
    // Only the data key's wrapping changed: the ciphertext is the same bytes.
    expect(rewrapped?.subarray(-plaintext.length - 16).equals(sealed.subarray(-plaintext.length - 16))).toBe(true);
    expect(after.rewrap(rewrapped ?? Buffer.alloc(0), 'obj-1')).toBeUndefined();
    const retired = new Envelope(new Keyring(retireKeys(finishRotation(rotated), [first.evidence.active])));
    expect(retired.open(rewrapped ?? Buffer.alloc(0), 'obj-1').equals(plaintext)).toBe(true);
    expect(() => retired.open(sealed, 'obj-1')).toThrow(/does not hold/);
    expect(retired.digest('110105198803120313', 'id-number')).toBe(digest);
  });

  it('derives a separate key for every digest purpose', () => {
    const envelope = new Envelope(new Keyring(newKeyring()));
    expect(envelope.digest('x', 'id-number')).not.toBe(envelope.digest('x', 'agent-mark'));
  });
});

describe('key sources', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'keys-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a keyring file once in the sandbox, owner-readable only, and reads it back', async () => {
    const file = path.join(dir, 'keys.json');
    const source = new FileKeySource(file, { create: true });
    const first = await source.load();
    expect(await source.load()).toEqual(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses to make one where it must be made on purpose (production)', async () => {
    await expect(new FileKeySource(path.join(dir, 'keys.json'), { create: false }).load()).rejects.toThrow(/rotate-key -- --init/);
  });

  it('takes an older installation\'s master.key into the keyring and removes it from the data folder', async () => {
    const master = randomBytes(32);
    const legacyFile = path.join(dir, 'master.key');
    await writeFile(legacyFile, `${master.toString('base64')}\n`, { mode: 0o600 });
    const data = await new FileKeySource(path.join(dir, 'keys.json'), { create: true, legacyMasterKeyFile: legacyFile }).load();
    expect(data).toEqual(keyringFromMasterKey(master));
    await expect(stat(legacyFile)).rejects.toThrow();
  });

  it('reads KEYRING or the single MASTER_KEY from the environment, and cannot write it', async () => {
    const data = newKeyring();
    expect(await new EnvKeySource(encodeKeyring(data), undefined).load()).toEqual(data);
    const master = randomBytes(32);
    expect(await new EnvKeySource(undefined, master.toString('base64')).load()).toEqual(keyringFromMasterKey(master));
    await expect(new EnvKeySource(encodeKeyring(data), undefined).save(data)).rejects.toThrow(/KEYRING=/);
  });

  it('refuses a damaged keyring rather than making a new one', async () => {
    const file = path.join(dir, 'keys.json');
    await writeFile(file, JSON.stringify({ version: 1, evidence: { active: 'k1', keys: {} }, digestRoot: 'x' }));
    await expect(new FileKeySource(file, { create: true }).load()).rejects.toThrow(/not valid/);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ evidence: { active: 'k1' } });
  });
});
