import path from 'node:path';
import { Envelope } from '../../bff/src/crypto/envelope.js';
import { Keyring } from '../../bff/src/crypto/keyring.js';
import { FileKeySource } from '../../bff/src/providers/keys/file.keys.js';

/** The envelope of a sandbox data folder, from its keyring file (DATA_DIR/keys.json). */
export async function envelopeOf(dataDir: string): Promise<Envelope> {
  return new Envelope(new Keyring(await new FileKeySource(path.join(dataDir, 'keys.json'), { create: false }).load()));
}
