import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { FulfilmentDb } from '../providers/db/fulfilment.db.js';
import { SqliteDb } from '../providers/db/sqlite.db.js';
import { hashToken } from '../crypto/tokens.js';

const USAGE = `Usage: npm run courier -- --company <carrier code> --name <name>

Adds a courier who may open deliveries of that carrier on the courier page (/courier), and prints
their access code once: only its hash is kept. Uses the data folder of DATA_DIR (default ./data).
`;

function fail(message: string): never {
  process.stderr.write(`courier: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({ options: { company: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const company = values.company?.trim().toUpperCase() ?? '';
const name = values.name?.trim() ?? '';
if (!/^[A-Z0-9]{2,10}$/.test(company)) fail('--company must be the carrier code, 2-10 letters or digits (the sandbox carrier is SBX)');
if (!name) fail('--name is required');

const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
const db = new SqliteDb(path.join(config.dataDir, 'orders.db'));
const accessCode = randomBytes(24).toString('base64url');
new FulfilmentDb(db).addCourier({ id: randomUUID(), company, name, token_hash: hashToken(accessCode), created_at: Date.now() });
db.close();
process.stdout.write(`Courier ${name} (${company}) added. Access code, shown this once:\n${accessCode}\n`);
