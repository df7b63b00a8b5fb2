import { type KeyringData, keyringFromMasterKey, parseKeyring } from '../../crypto/keyring.js';
import { type KeySource, KeySourceError } from './keys.port.js';

/** `KEYRING` as base64 of the keyring's JSON. */
export const encodeKeyring = (data: KeyringData): string => Buffer.from(JSON.stringify(data)).toString('base64');

/**
 * The keyring from the environment: KEYRING (base64 of its JSON), or the single MASTER_KEY of an
 * installation made before keyrings. The environment cannot be written from here: a rotation prints
 * the new KEYRING to set on every process.
 */
export class EnvKeySource implements KeySource {
  readonly description = 'the environment (KEYRING)';

  constructor(private readonly keyring: string | undefined, private readonly masterKey: string | undefined) {}

  load(): Promise<KeyringData> {
    if (this.keyring) return Promise.resolve(parseKeyring(Buffer.from(this.keyring, 'base64').toString('utf8')));
    if (this.masterKey) return Promise.resolve(keyringFromMasterKey(Buffer.from(this.masterKey, 'base64')));
    return Promise.reject(new KeySourceError('KEY_SOURCE=env needs KEYRING (or MASTER_KEY)'));
  }

  save(data: KeyringData): Promise<void> {
    return Promise.reject(new KeySourceError(`the environment cannot be written from here; set this on every process and restart it:\nKEYRING=${encodeKeyring(data)}`));
  }
}
