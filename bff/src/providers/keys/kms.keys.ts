import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type KeyringData, newKeyring, parseKeyring } from '../../crypto/keyring.js';
import { writePrivateFile } from './file.keys.js';
import { type KeySource, KeySourceError } from './keys.port.js';

export interface KmsOptions {
  /** The KMS's address; it speaks Vault's transit interface (Vault, OpenBao, and gateways to cloud KMSs). */
  url: string;
  /** The KMS key that wraps the keyring; it never leaves the KMS. */
  keyName: string;
  token: string;
  /** Make a new keyring when the file is missing (the sandbox). */
  create: boolean;
  timeoutMs?: number;
}

const wrappedFileSchema = z.object({ kms: z.literal('transit'), key: z.string(), ciphertext: z.string().min(1) });
const answerSchema = z.object({ data: z.object({ plaintext: z.string().optional(), ciphertext: z.string().optional() }) });

/**
 * The keyring in a file wrapped by a KMS key: the file alone opens nothing, the KMS unwraps it at
 * start (and on every reload) for a process whose token it accepts.
 */
export class KmsKeySource implements KeySource {
  readonly description: string;

  constructor(private readonly file: string, private readonly options: KmsOptions) {
    this.description = `the key file ${file}, wrapped by the KMS key ${options.keyName}`;
  }

  async load(): Promise<KeyringData> {
    let stored: string;
    try {
      stored = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && this.options.create) {
        const data = newKeyring();
        await this.save(data);
        return data;
      }
      throw new KeySourceError(`cannot read ${this.description}${(error as NodeJS.ErrnoException).code === 'ENOENT' ? ': create it with `npm run rotate-key -- --init`' : ''}`, { cause: error });
    }
    const wrapped = wrappedFileSchema.safeParse(JSON.parse(stored));
    if (!wrapped.success) throw new KeySourceError(`${this.file} is not a KMS-wrapped keyring`);
    const { plaintext } = await this.call('decrypt', { ciphertext: wrapped.data.ciphertext });
    if (!plaintext) throw new KeySourceError('the KMS answered without the keyring');
    return parseKeyring(Buffer.from(plaintext, 'base64').toString('utf8'));
  }

  async save(data: KeyringData): Promise<void> {
    const { ciphertext } = await this.call('encrypt', { plaintext: Buffer.from(JSON.stringify(data)).toString('base64') });
    if (!ciphertext) throw new KeySourceError('the KMS answered without a ciphertext');
    await writePrivateFile(this.file, `${JSON.stringify({ kms: 'transit', key: this.options.keyName, ciphertext })}\n`);
  }

  private async call(operation: 'encrypt' | 'decrypt', body: Record<string, string>): Promise<{ plaintext?: string | undefined; ciphertext?: string | undefined }> {
    let res: Response;
    try {
      res = await fetch(`${this.options.url.replace(/\/$/, '')}/v1/transit/${operation}/${encodeURIComponent(this.options.keyName)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vault-token': this.options.token },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        redirect: 'error',
      });
    } catch (error) {
      throw new KeySourceError(`the KMS at ${this.options.url} did not answer`, { cause: error });
    }
    if (!res.ok) throw new KeySourceError(`the KMS refused to ${operation} (HTTP ${res.status})`);
    const parsed = answerSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new KeySourceError('the KMS answered in an unknown shape');
    return parsed.data.data;
  }
}
