import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3StorageSettings } from '../../config.js';
import type { Envelope } from '../../crypto/envelope.js';
import type { EvidenceStorage } from './storage.port.js';

const ID_PATTERN = /^[0-9a-f-]{36}$/;

/**
 * Sealed objects in an S3-compatible bucket, through the AWS SDK: the store only ever holds what
 * the envelope sealed (the same bytes as a file would), under `<prefix><id>`.
 */
export class S3EvidenceStorage implements EvidenceStorage {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #envelope: Envelope;

  constructor(config: S3StorageSettings, envelope: Envelope) {
    this.#client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
    });
    this.#bucket = config.bucket;
    this.#prefix = config.prefix;
    this.#envelope = envelope;
  }

  #key(id: string): string {
    if (!ID_PATTERN.test(id)) throw new Error('bad evidence id');
    return `${this.#prefix}${id}`;
  }

  async put(data: Buffer): Promise<string> {
    const id = randomUUID();
    await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(id), Body: this.#envelope.seal(data, id), ContentType: 'application/octet-stream' }));
    return id;
  }

  async get(id: string): Promise<Buffer> {
    const sealed = await this.#read(id);
    if (!sealed) throw Object.assign(new Error('no such evidence object'), { code: 'ENOENT' });
    return this.#envelope.open(sealed.body, id);
  }

  async delete(id: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(id) }));
  }

  async *list(): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const id = object.Key?.slice(this.#prefix.length) ?? '';
        if (ID_PATTERN.test(id)) yield id;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async rewrap(id: string, change: (sealed: Buffer) => Buffer | undefined): Promise<boolean> {
    const sealed = await this.#read(id);
    const changed = sealed && change(sealed.body);
    if (!sealed || !changed) return false;
    // An object deleted (or replaced) while it was being re-wrapped is left as it is now.
    const now = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(id) })).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    if (!now || now.ETag !== sealed.etag) return false;
    await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(id), Body: changed, ContentType: 'application/octet-stream' }));
    return true;
  }

  /** Whether the bucket answers (the readiness check). */
  async probe(): Promise<void> {
    await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
  }

  async #read(id: string): Promise<{ body: Buffer; etag: string | undefined } | undefined> {
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(id) }));
      return { body: Buffer.from(await object.Body?.transformToByteArray() ?? new Uint8Array()), etag: object.ETag };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof NoSuchKey || error instanceof NotFound || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
}
