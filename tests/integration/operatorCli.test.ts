import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../bff/src/crypto/tokens.js';
import { FulfilmentDb } from '../../bff/src/providers/db/fulfilment.db.js';
import { SqliteDb } from '../../bff/src/providers/db/sqlite.db.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { holderKey } from '../../bff/src/services/orderService.js';
import { envelopeOf } from '../support/keys.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = (script: string, args: string[], dataDir: string) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } });

let dir: string;
let dataDir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-cli-'));
  dataDir = path.join(dir, 'data');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the operator\'s command-line tools', () => {
  it('adds a courier and prints an access code that signs them in; only its hash is stored', async () => {
    const { stdout } = await run('bff/src/cli/courier.ts', ['--company', 'sf', '--name', '赵师傅'], dataDir);
    const code = stdout.trim().split('\n').at(-1) ?? '';
    expect(code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const db = new SqliteDb(path.join(dataDir, 'orders.db'));
    try {
      expect(new FulfilmentDb(db).courierByTokenHash(hashToken(code))).toMatchObject({ company: 'SF', name: '赵师傅' });
      expect(JSON.stringify(db.db.prepare('SELECT * FROM couriers').all())).not.toContain(code);
    } finally {
      db.close();
    }
    await expect(run('bff/src/cli/courier.ts', ['--company', 'x', '--name', 'n'], dataDir)).rejects.toThrow(/carrier code/);
  });

  it('imports the cards ID numbers hold through other channels, by keyed hash, and names only the lines it skipped', async () => {
    const [a, b] = SANDBOX_IDENTITIES;
    const file = path.join(dir, 'counts.csv');
    await writeFile(file, `# id number,cards\n${a?.idNumber},3\n${b?.idNumber},5\n110105198803120312,2\nnot a line\n`);
    const { stdout } = await run('bff/src/cli/holderCards.ts', ['--file', file], dataDir);
    expect(stdout.trim()).toBe('2 holder(s) recorded; skipped line(s) 4, 5');
    expect(stdout).not.toContain('110105198803120312');
    const envelope = await envelopeOf(dataDir);
    const db = new SqliteDb(path.join(dataDir, 'orders.db'));
    try {
      expect(db.cardsOf(holderKey(envelope, a?.idNumber ?? ''))).toBe(3);
      expect(db.cardsOf(holderKey(envelope, b?.idNumber ?? ''))).toBe(5);
      expect(JSON.stringify(db.db.prepare('SELECT * FROM holder_cards').all())).not.toContain(a?.idNumber);
    } finally {
      db.close();
    }
  });
});
