import path from 'node:path';
import type { Config } from '../../config.js';
import type { Envelope } from '../../crypto/envelope.js';
import { FsEvidenceStorage } from './fs.storage.js';
import { S3EvidenceStorage } from './s3.storage.js';
import type { EvidenceStorage } from './storage.port.js';

/** The evidence store the configuration names: the local folder (default) or an S3-compatible bucket. */
export function createStorage(config: Pick<Config, 'dataDir' | 'storage'>, envelope: Envelope): EvidenceStorage {
  return config.storage.kind === 's3'
    ? new S3EvidenceStorage(config.storage, envelope)
    : new FsEvidenceStorage(path.join(config.dataDir, 'evidence'), envelope);
}
