import path from 'node:path';
import type { Config } from '../../config.js';
import { Keyring } from '../../crypto/keyring.js';
import { EnvKeySource } from './env.keys.js';
import { FileKeySource } from './file.keys.js';
import type { KeySource } from './keys.port.js';
import { KmsKeySource } from './kms.keys.js';

/**
 * The configured key source. Only the sandbox makes a keyring on its own; production starts with a
 * keyring the operator made (`npm run rotate-key -- --init`), or refuses.
 */
export function createKeySource(config: Pick<Config, 'keys' | 'dataDir' | 'mode'>, options: { create?: boolean } = {}): KeySource {
  const create = options.create ?? config.mode === 'sandbox';
  const keys = config.keys;
  switch (keys.source) {
    case 'file':
      return new FileKeySource(keys.file, { create, legacyMasterKeyFile: path.join(config.dataDir, 'master.key') });
    case 'env':
      return new EnvKeySource(keys.keyring, keys.masterKey);
    case 'kms':
      return new KmsKeySource(keys.file, { url: keys.url, keyName: keys.keyName, token: keys.token, create });
  }
}

export async function loadKeyring(source: KeySource): Promise<Keyring> {
  return new Keyring(await source.load());
}
