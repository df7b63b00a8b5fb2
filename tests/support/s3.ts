import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface S3Store {
  /** The settings a server needs to keep its evidence in the bucket. */
  env: Record<string, string>;
  bucket: string;
  stop(): Promise<void>;
}

/**
 * A real S3-protocol server in the test's process (s3rver, its objects in a temporary folder), with
 * one bucket; the BFF talks to it through the AWS SDK as it would to MinIO or OSS.
 */
export async function startS3(bucket = 'sim-evidence'): Promise<S3Store> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  let stopped: Promise<void> | undefined;
  return {
    bucket,
    // s3rver's own fixed credentials: it checks the signature as a real store does.
    env: { STORAGE_URL: `s3://${bucket}/evidence/`, S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' },
    stop() {
      stopped ??= server.close().then(() => rm(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}
