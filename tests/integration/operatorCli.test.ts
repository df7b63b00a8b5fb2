import { sql } from 'kysely';
import { openOrders, rows } from '../support/db.js';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../bff/src/crypto/tokens.js';
import { FulfilmentDb } from '../../bff/src/providers/db/fulfilment.db.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { holderKey } from '../../bff/src/services/orderService.js';
import { randomSimStock } from '../../bff/src/domain/numberPool.js';
import { packCodeDigest } from '../../bff/src/services/activationService.js';
import { envelopeOf } from '../support/keys.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = (script: string, args: string[], dataDir: string, env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, ...env } });

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
    const db = await openOrders({ engine: 'sqlite', file: path.join(dataDir, 'orders.db') });
    try {
      expect(await new FulfilmentDb(db).courierByTokenHash(hashToken(code))).toMatchObject({ company: 'SF', name: '赵师傅' });
      expect(JSON.stringify((await rows(db, sql`SELECT * FROM couriers`)))).not.toContain(code);
    } finally {
      await db.close();
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
    const db = await openOrders({ engine: 'sqlite', file: path.join(dataDir, 'orders.db') });
    try {
      expect(await db.cardsOf(holderKey(envelope, a?.idNumber ?? ''))).toBe(3);
      expect(await db.cardsOf(holderKey(envelope, b?.idNumber ?? ''))).toBe(5);
      expect(JSON.stringify((await rows(db, sql`SELECT * FROM holder_cards`)))).not.toContain(a?.idNumber);
    } finally {
      await db.close();
    }
  });

  it('adds a supervisor, lists couriers without their codes, and disables one at once', async () => {
    const { stdout } = await run('bff/src/cli/courier.ts', ['--company', 'SF', '--name', '钱主管', '--supervisor'], dataDir);
    const id = /added as ([0-9a-f-]{36})/.exec(stdout)?.[1] ?? '';
    const code = stdout.trim().split('\n').at(-1) ?? '';
    const listed = (await run('bff/src/cli/courier.ts', ['--list'], dataDir)).stdout;
    expect(listed).toContain(`${id}\tSF\tsupervisor\tenabled`);
    expect(listed).not.toContain(code);
    await run('bff/src/cli/courier.ts', ['--disable', id], dataDir);
    expect((await run('bff/src/cli/courier.ts', ['--list'], dataDir)).stdout).toContain(`${id}\tSF\tsupervisor\tdisabled`);
    const db = await openOrders({ engine: 'sqlite', file: path.join(dataDir, 'orders.db') });
    try {
      expect(await new FulfilmentDb(db).courierByTokenHash(hashToken(code))).toBeUndefined();
    } finally {
      await db.close();
    }
    await expect(run('bff/src/cli/courier.ts', ['--disable', id], dataDir)).rejects.toThrow(/no enabled courier/);
  });

  it('puts the operator\'s SIM cards (pack codes as keyed digests only) and numbers in stock, naming the lines it skipped', async () => {
    const [a, b] = randomSimStock(2);
    const sims = path.join(dir, 'sims.csv');
    await writeFile(sims, `# iccid,pack code\n${a?.iccid},${a?.packCode}\n${b?.iccid},1234\n${a?.iccid},${a?.packCode}\n`);
    const numbers = path.join(dir, 'numbers.txt');
    await writeFile(numbers, '17099990001\n17099990002\n13800000000\n');
    expect((await run('bff/src/cli/stock.ts', ['--sims', sims], dataDir)).stdout.trim())
      .toBe('1 SIM card(s) added (0 already in stock); skipped line 3 (the pack code is 8 digits), line 4 (repeated)');
    expect((await run('bff/src/cli/stock.ts', ['--numbers', numbers], dataDir)).stdout.trim()).toBe('2 number(s) added (0 already in stock); skipped line 3 (msisdn_not_mvno)');
    const envelope = await envelopeOf(dataDir);
    const db = await openOrders({ engine: 'sqlite', file: path.join(dataDir, 'orders.db') });
    try {
      const row = await new FulfilmentDb(db).simCard(a?.iccid ?? '');
      expect(row).toMatchObject({ status: 'available', origin: 'import', sandbox_pack_code: null, pack_code_hash: packCodeDigest(envelope, a?.iccid ?? '', a?.packCode ?? '') });
      expect(JSON.stringify((await rows(db, sql`SELECT * FROM sim_cards`)))).not.toContain(a?.packCode);
      expect((await rows(db, sql`SELECT msisdn, origin FROM numbers WHERE msisdn LIKE '1709999%' ORDER BY msisdn`)))
        .toEqual([{ msisdn: '17099990001', origin: 'import' }, { msisdn: '17099990002', origin: 'import' }]);
    } finally {
      await db.close();
    }
  });

  it('makes a production keyring outside the data folder on purpose, and rotates the key of a data folder', async () => {
    const keyFile = path.join(dir, 'etc-keys.json');
    const production = { RUN_MODE: 'production', OPERATOR_NAME: '示例移动 Example Mobile', OPERATOR_LOGO: '/etc/operator/logo.png', KEY_FILE: keyFile, PUBLIC_URL: 'https://sim.example', AUTHORITY_ADAPTER: 'http', AUTHORITY_HTTP_URL: 'https://gw.example',
      PROVISIONING_ADAPTER: 'http', PROVISIONING_HTTP_URL: 'https://bss.example', BILLING_ADAPTER: 'http', BILLING_HTTP_URL: 'https://billing.example', LOGISTICS_ADAPTER: 'http', LOGISTICS_HTTP_URL: 'https://carrier.example', LOGISTICS_WEBHOOK_SECRET: 'carrier-signing-secret-0001', NOTIFIER: 'off' };
    expect((await run('bff/src/cli/rotateKey.ts', ['--init'], path.join(dir, 'prod-data'), production)).stdout).toContain(`made a new keyring in the key file ${keyFile}`);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await run('bff/src/cli/rotateKey.ts', ['--init'], path.join(dir, 'prod-data'), production)).stdout).toContain('nothing changed');

    const before = await envelopeOf(dataDir);
    const { stdout } = await run('bff/src/cli/rotateKey.ts', [], dataDir, { KEY_RELOAD_SECONDS: '1' });
    expect(stdout).toMatch(/done: \d+ of \d+ objects and \d+ of \d+ fields re-wrapped under k[0-9a-f]+/);
    const after = await envelopeOf(dataDir);
    expect(after.keyring.activeId).not.toBe(before.keyring.activeId);
    expect(after.digest('x', 'id-number')).toBe(before.digest('x', 'id-number'));
    expect((await run('bff/src/cli/rotateKey.ts', ['--retire'], dataDir)).stdout).toContain(`retired ${before.keyring.activeId}`);
  });
});
