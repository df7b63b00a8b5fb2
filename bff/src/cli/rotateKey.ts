import { parseArgs } from 'node:util';
import { newKeyring } from '../crypto/keyring.js';
import { loadConfig } from '../config.js';
import { createKeySource } from '../providers/keys/index.js';
import { KeySourceError } from '../providers/keys/keys.port.js';
import { createStorage } from '../providers/storage/index.js';
import { retireUnusedKeys, rotateEvidenceKey } from '../services/keyRotation.js';
import { openStores } from './stores.js';

const USAGE = `Usage:
  npm run rotate-key              rotate the evidence key (or finish a rotation that was stopped)
  npm run rotate-key -- --retire  drop old keys nothing is sealed under any more
  npm run rotate-key -- --init    make the keyring (production: at KEY_FILE, or print KEYRING)

Rotation runs beside the servers: a new key is staged and every server learns it (KEY_RELOAD_SECONDS),
then it seals new objects, then every stored object and sealed field is re-wrapped under it. Stopped
half-way, run it again. The five-card count, agent marks and every other keyed digest stay as they are.
`;

const { values } = parseArgs({ options: { retire: { type: 'boolean' }, init: { type: 'boolean' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

try {
  if (values.init) {
    const config = loadConfig();
    const source = createKeySource(config, { create: false });
    const existing = await source.load().catch(() => undefined);
    if (existing) say(`a keyring is there already (${source.description}); nothing changed`);
    else {
      await source.save(newKeyring());
      say(`made a new keyring in ${source.description}`);
    }
  } else {
    const stores = await openStores();
    const storage = createStorage(stores.config, stores.envelope);
    const deps = { ...stores, storage, say };
    if (values.retire) await retireUnusedKeys(deps);
    else await rotateEvidenceKey({ ...deps, settleMs: stores.config.keys.reloadSeconds * 2000 + 500 });
    await stores.db.close();
  }
} catch (error) {
  if (error instanceof KeySourceError) {
    process.stderr.write(`rotate-key: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
