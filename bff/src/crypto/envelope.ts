import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Envelope encryption: every object gets a fresh 256-bit data key; the data key is wrapped with the
 * master key. Both layers are AES-256-GCM, and the object's id is authenticated data, so a sealed
 * object moved under another id fails to open.
 *
 * Layout: magic "SIE1" | wrapped-key IV (12) | wrapped-key tag (16) | wrapped key (32)
 *         | data IV (12) | data tag (16) | ciphertext
 */
const MAGIC = Buffer.from('SIE1');
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + IV_BYTES + TAG_BYTES + KEY_BYTES + IV_BYTES + TAG_BYTES;

function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function gcmOpen(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export class Envelope {
  readonly #masterKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== KEY_BYTES) throw new RangeError('the master key must be 32 bytes');
    this.#masterKey = masterKey;
  }

  seal(plaintext: Buffer, id: string): Buffer {
    const aad = Buffer.from(id, 'utf8');
    const dataKey = randomBytes(KEY_BYTES);
    const wrapped = gcmSeal(this.#masterKey, dataKey, aad);
    const data = gcmSeal(dataKey, plaintext, aad);
    dataKey.fill(0);
    return Buffer.concat([MAGIC, wrapped.iv, wrapped.tag, wrapped.ciphertext, data.iv, data.tag, data.ciphertext]);
  }

  open(sealed: Buffer, id: string): Buffer {
    if (sealed.length < HEADER_BYTES || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new Error('not a sealed object');
    }
    const aad = Buffer.from(id, 'utf8');
    let offset = MAGIC.length;
    const take = (n: number): Buffer => sealed.subarray(offset, (offset += n));
    const keyIv = take(IV_BYTES);
    const keyTag = take(TAG_BYTES);
    const wrappedKey = take(KEY_BYTES);
    const dataIv = take(IV_BYTES);
    const dataTag = take(TAG_BYTES);
    const dataKey = gcmOpen(this.#masterKey, keyIv, keyTag, wrappedKey, aad);
    try {
      return gcmOpen(dataKey, dataIv, dataTag, sealed.subarray(offset), aad);
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * A keyed digest (HMAC-SHA256 under a key derived from the master key for `purpose`): lets the
   * database recognise a value seen before without holding the value, and without anyone who lacks
   * the key being able to test guesses against it.
   */
  digest(data: Buffer | string, purpose: string): string {
    const key = Buffer.from(hkdfSync('sha256', this.#masterKey, Buffer.alloc(0), `digest:${purpose}`, KEY_BYTES));
    return createHmac('sha256', key).update(data).digest('base64url');
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

/**
 * The master key: MASTER_KEY (base64 of 32 bytes) when set, otherwise a key generated once into
 * DATA_DIR/master.key, readable by its owner only. Losing that file loses every stored image.
 */
export async function loadMasterKey(fromEnv: string | undefined, dataDir: string): Promise<Buffer> {
  if (fromEnv) return Buffer.from(fromEnv, 'base64');
  return Buffer.from(await secretFile(path.join(dataDir, 'master.key'), () => randomBytes(KEY_BYTES).toString('base64')), 'base64');
}
