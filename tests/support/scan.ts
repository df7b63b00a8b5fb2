import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import type { OrdersDb } from '../../bff/src/providers/db/orders.db.js';

/** A JPEG's start of image and its first segment header (five bytes: ciphertext does not match them by chance). */
const JPEG_STARTS = [0xdb, 0xe0, 0xe1].map((marker) => Buffer.from([0xff, 0xd8, 0xff, marker, 0x00]));

/** What in `bytes` should not be there: a JPEG, a JFIF header, or any of the texts (identity data). */
export function plaintextIn(bytes: Buffer, texts: readonly string[]): string[] {
  const found: string[] = [];
  if (JPEG_STARTS.some((start) => bytes.includes(start))) found.push('a JPEG');
  if (bytes.includes(Buffer.from('JFIF\0', 'latin1'))) found.push('a JFIF header');
  for (const text of texts) if (bytes.includes(Buffer.from(text, 'utf8'))) found.push(`"${text}"`);
  return found;
}

/** Every file under a folder, with what each holds in clear. */
export async function scanFolder(dir: string, texts: readonly string[]): Promise<{ files: number; found: string[] }> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile());
  const found: string[] = [];
  for (const file of files) {
    const name = path.join(file.parentPath, file.name);
    for (const what of plaintextIn(await readFile(name), texts)) found.push(`${name}: ${what}`);
  }
  return { files: files.length, found };
}

/** Every value of every table in the database (either engine), with what each holds in clear. */
export async function scanDatabase(db: OrdersDb, texts: readonly string[]): Promise<{ values: number; found: string[] }> {
  const tables = (await db.db.introspection.getTables()).map((t) => t.name).filter((name) => !name.startsWith('kysely_'));
  let values = 0;
  const found: string[] = [];
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db.db)).rows;
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        values += 1;
        const bytes = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean), 'utf8');
        for (const what of plaintextIn(bytes, texts)) found.push(`${table}.${column}: ${what}`);
      }
    }
  }
  return { values, found };
}

/** Every object in an S3 bucket (read through the SDK, as anyone with the bucket's keys would), with what each holds in clear. */
export async function scanBucket(env: Record<string, string>, bucket: string, texts: readonly string[]): Promise<{ objects: number; found: string[] }> {
  const client = new S3Client({
    region: 'us-east-1', endpoint: env.S3_ENDPOINT, forcePathStyle: true,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID ?? '', secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '' },
  });
  let objects = 0;
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      objects += 1;
      const body = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      for (const what of plaintextIn(Buffer.from(await body.Body?.transformToByteArray() ?? []), texts)) found.push(`${object.Key ?? ''}: ${what}`);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  client.destroy();
  return { objects, found };
}
