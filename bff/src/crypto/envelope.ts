import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { KEY_BYTES, type Keyring, LEGACY_KEY_ID } from './keyring.js';

/**
 * Envelope encryption: every object gets a fresh 256-bit data key; the data key is wrapped with an
 * evidence key of the keyring, whose id the header names. Both layers are AES-256-GCM, and the
 * object's id is authenticated data, so a sealed object moved under another id fails to open.
 * Rotating the evidence key re-wraps the data key only: the ciphertext stays as it is.
 *
 * Layout: magic "SIE2" | key id length (1) | key id | wrapped-key IV (12) | wrapped-key tag (16)
 *         | wrapped key (32) | data IV (12) | data tag (16) | ciphertext
 * Objects sealed before keyrings start "SIE1" and carry no key id: they are under key k0.
 */
const MAGIC = Buffer.from('SIE2');
const LEGACY_MAGIC = Buffer.from('SIE1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = IV_BYTES + TAG_BYTES + KEY_BYTES;

function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

interface Parts {
  keyId: string;
  /** The wrapped data key (IV, tag, key). */
  wrapped: Buffer;
  /** The data (IV, tag, ciphertext). */
  data: Buffer;
}

function parse(sealed: Buffer): Parts {
  const magic = sealed.subarray(0, 4);
  if (magic.equals(LEGACY_MAGIC) && sealed.length >= 4 + WRAPPED_BYTES + IV_BYTES + TAG_BYTES) {
    return { keyId: LEGACY_KEY_ID, wrapped: sealed.subarray(4, 4 + WRAPPED_BYTES), data: sealed.subarray(4 + WRAPPED_BYTES) };
  }
  if (magic.equals(MAGIC) && sealed.length > 5) {
    const idEnd = 5 + (sealed[4] ?? 0);
    if (sealed.length >= idEnd + WRAPPED_BYTES + IV_BYTES + TAG_BYTES) {
      return { keyId: sealed.subarray(5, idEnd).toString('ascii'), wrapped: sealed.subarray(idEnd, idEnd + WRAPPED_BYTES), data: sealed.subarray(idEnd + WRAPPED_BYTES) };
    }
  }
  throw new Error('not a sealed object');
}

function assemble(keyId: string, wrapped: Buffer, data: Buffer): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id, wrapped, data]);
}

export class Envelope {
  #keys: Keyring;

  constructor(keys: Keyring) {
    this.#keys = keys;
  }

  /** The keyring read again (a key being rotated in); objects sealed before still open. */
  useKeyring(keys: Keyring): void {
    this.#keys = keys;
  }

  get keyring(): Keyring {
    return this.#keys;
  }

  seal(plaintext: Buffer, id: string): Buffer {
    const aad = Buffer.from(id, 'utf8');
    const keyId = this.#keys.activeId;
    const dataKey = randomBytes(KEY_BYTES);
    try {
      return assemble(keyId, gcmSeal(this.key(keyId), dataKey, aad), gcmSeal(dataKey, plaintext, aad));
    } finally {
      dataKey.fill(0);
    }
  }

  open(sealed: Buffer, id: string): Buffer {
    const parts = parse(sealed);
    const aad = Buffer.from(id, 'utf8');
    const dataKey = gcmOpen(this.key(parts.keyId), parts.wrapped, aad);
    try {
      return gcmOpen(dataKey, parts.data, aad);
    } finally {
      dataKey.fill(0);
    }
  }

  /** The id of the evidence key an object is sealed under. */
  keyIdOf(sealed: Buffer): string {
    return parse(sealed).keyId;
  }

  /**
   * The same object with its data key wrapped by the active key (the ciphertext is untouched), or
   * undefined when it is under the active key already. Its id must be the one it was sealed with.
   */
  rewrap(sealed: Buffer, id: string): Buffer | undefined {
    const parts = parse(sealed);
    const activeId = this.#keys.activeId;
    if (parts.keyId === activeId && sealed.subarray(0, 4).equals(MAGIC)) return undefined;
    const aad = Buffer.from(id, 'utf8');
    const dataKey = gcmOpen(this.key(parts.keyId), parts.wrapped, aad);
    try {
      return assemble(activeId, gcmSeal(this.key(activeId), dataKey, aad), parts.data);
    } finally {
      dataKey.fill(0);
    }
  }

  private key(keyId: string): Buffer {
    const key = this.#keys.evidenceKey(keyId);
    if (!key) throw new Error(`sealed under key ${keyId}, which this keyring does not hold`);
    return key;
  }

  /**
   * A keyed digest (HMAC-SHA256 under the key of `purpose`, derived from the keyring's digest root):
   * lets the database recognise a value seen before without holding the value, and without anyone
   * who lacks the key being able to test guesses against it. Rotating the evidence key changes none.
   */
  digest(data: Buffer | string, purpose: string): string {
    return createHmac('sha256', this.#keys.digestKey(purpose)).update(data).digest('base64url');
  }

  sealJson(value: unknown, id: string): Buffer {
    return this.seal(Buffer.from(JSON.stringify(value), 'utf8'), id);
  }

  openJson(sealed: Buffer, id: string): unknown {
    return JSON.parse(this.open(sealed, id).toString('utf8')) as unknown;
  }
}

/**
 * A secret kept in a file readable by its owner only: read if it is there, otherwise made once
 * (another process making it at the same moment wins, and both use theirs).
 */
export async function secretFile(file: string, make: () => string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = make();
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw error;
  }
  await chmod(file, 0o600);
  return secret;
}
