import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FulfilmentDb } from '../providers/db/fulfilment.db.js';
import { hashToken } from '../crypto/tokens.js';
import { openStores, usageError } from './stores.js';

const USAGE = `Usage:
  npm run courier -- --company <carrier code> --name <name> [--supervisor]
  npm run courier -- --disable <courier id>
  npm run courier -- --list

Adds a courier who may open deliveries of that carrier on the courier page (/courier), and prints
their access code once: only its hash is kept. A supervisor may also confirm a refusal at the door
when the recipient cannot give the hand-over code. --disable ends a courier's access at once.
Uses the data folder of DATA_DIR (default ./data).
`;

const { values } = parseArgs({
  options: { company: { type: 'string' }, name: { type: 'string' }, supervisor: { type: 'boolean' }, disable: { type: 'string' }, list: { type: 'boolean' }, help: { type: 'boolean' } },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const fail = (message: string): never => usageError('courier', message, USAGE);

const { db } = await openStores();
const couriers = new FulfilmentDb(db);
if (values.list) {
  for (const c of await couriers.couriers()) {
    process.stdout.write(`${c.id}\t${c.company}\t${c.role}\t${c.disabled_at ? 'disabled' : 'enabled'}\t${c.name}\n`);
  }
} else if (values.disable !== undefined) {
  const disabled = await couriers.disableCouriers([values.disable], Date.now());
  await db.close();
  if (disabled === 0) fail(`no enabled courier with the id ${values.disable} (see --list)`);
  process.stdout.write(`Courier ${values.disable} disabled: their access code opens nothing from now on.\n`);
} else {
  const company = values.company?.trim().toUpperCase() ?? '';
  const name = values.name?.trim() ?? '';
  if (!/^[A-Z0-9]{2,10}$/.test(company)) fail('--company must be the carrier code, 2-10 letters or digits (the sandbox carrier is SBX)');
  if (!name) fail('--name is required');
  const accessCode = randomBytes(24).toString('base64url');
  const id = randomUUID();
  const role = values.supervisor ? 'supervisor' : 'courier';
  await couriers.addCourier({ id, company, name, role, token_hash: hashToken(accessCode), created_at: Date.now() });
  process.stdout.write(`${role === 'supervisor' ? 'Supervisor' : 'Courier'} ${name} (${company}) added as ${id}. Access code, shown this once:\n${accessCode}\n`);
}
await db.close();
