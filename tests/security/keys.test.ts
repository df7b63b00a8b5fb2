import { openOrders } from '../support/db.js';
import { spawn } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentMark, EvidenceResult, MarkVerification, OrderView } from '@shared';
import { Envelope } from '../../bff/src/crypto/envelope.js';
import { Keyring, newKeyring } from '../../bff/src/crypto/keyring.js';
import { loadConfig } from '../../bff/src/config.js';
import { start } from '../../bff/src/server.js';
import { SEALED_COLUMNS } from '../../bff/src/providers/db/sealed.js';
import { FileKeySource } from '../../bff/src/providers/keys/file.keys.js';
import { SANDBOX_IDENTITIES } from '../../bff/src/providers/authority/sandbox.js';
import { FsEvidenceStorage } from '../../bff/src/providers/storage/fs.storage.js';
import { generateMockCard } from '../../bff/src/sandbox/mockId/index.js';
import { DEMO_AGENT } from '../../bff/src/services/channelService.js';
import { rotateEvidenceKey, keysInUse } from '../../bff/src/services/keyRotation.js';
import { holderKey } from '../../bff/src/services/orderService.js';
import { facePhoto } from '../support/fixtures.js';
import { POSES } from '../support/liveFrames.js';
import { type TestServer, startTestServer, testEnv } from '../support/testServer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let t: TestServer;

beforeAll(async () => {
  // Servers read their keyring again every second (30 s by default).
  t = await startTestServer({ KEY_RELOAD_SECONDS: '1' });
});

afterAll(async () => {
  await t.stop();
});

/** What `npm run rotate-key` works with: its own view of the keys, the database and the evidence folder. */
async function rotationTools(settleMs = 2500, failAfter = Number.POSITIVE_INFINITY) {
  const keySource = new FileKeySource(path.join(t.dataDir, 'keys.json'), { create: false });
  const envelope = new Envelope(new Keyring(await keySource.load()));
  const db = await openOrders({ engine: 'sqlite', file: path.join(t.dataDir, 'orders.db') });
  const files = new FsEvidenceStorage(path.join(t.dataDir, 'evidence'), envelope);
  let visited = 0;
  // A storage that stops half-way when asked to (the rotation killed in the middle).
  const storage = Object.assign(Object.create(files) as FsEvidenceStorage, {
    rewrap: (id: string, change: (sealed: Buffer) => Buffer | undefined) => {
      visited += 1;
      if (visited > failAfter) return Promise.reject(new Error('stopped'));
      return files.rewrap(id, change);
    },
  });
  return { keySource, envelope, db, storage, settleMs, say: () => undefined };
}

describe('rotating the evidence key', () => {
  it('opens every old object, changes no count and no mark, and can be stopped and run again', async () => {
    // Before: an order with a card photo (an object, its sealed face and identity), the five-card count, a mark.
    const who = SANDBOX_IDENTITIES.find((s) => s.name === '孙丽');
    const card = await generateMockCard({ face: await facePhoto(POSES.penny.neutral), name: who?.name ?? '', idNumber: who?.idNumber ?? '', seed: 'rotation' });
    const order = await t.api.newOrder();
    expect((await t.api.upload<EvidenceResult>(order.id, order.token, 'portrait', card.images.portrait)).status).toBe(200);
    const before = (await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body;
    expect(before.identity?.portrait.idNumber).toBe(who?.idNumber);
    const count = await t.server.db.cardsOf(holderKey(t.server.envelope, who?.idNumber ?? ''));
    expect(count).toBe(5);
    const origin = `http://localhost:${t.server.port}`;
    const mark = (await t.api.json<AgentMark>(`/api/agents/${DEMO_AGENT.agentNumber}/mark`, { headers: { origin } })).body;
    const oldKey = t.server.envelope.keyring.activeId;

    // Stopped at the first object, then run again: it continues with the key it brought in.
    await expect(rotateEvidenceKey(await rotationTools(2500, 0))).rejects.toThrow('stopped');
    const halfWay = await new FileKeySource(path.join(t.dataDir, 'keys.json'), { create: false }).load();
    expect(halfWay.rotation?.stage).toBe('active');
    const resumed = await rotationTools(2500);
    const report = await rotateEvidenceKey(resumed);
    expect(report.activeKey).not.toBe(oldKey);
    expect(report.activeKey).toBe(halfWay.rotation?.to);
    expect(report.objects.seen).toBeGreaterThan(0);

    // Everything is under the new key now: every object and every sealed field.
    expect([...(await keysInUse(resumed)).keys()]).toEqual([report.activeKey]);
    const files = await readdir(path.join(t.dataDir, 'evidence'), { recursive: true });
    for (const file of files.filter((f) => /[0-9a-f-]{36}$/.test(f))) {
      expect(resumed.envelope.keyIdOf(await readFile(path.join(t.dataDir, 'evidence', file)))).toBe(report.activeKey);
    }
    expect(SEALED_COLUMNS.length).toBeGreaterThan(5);
    await resumed.db.close();

    // The running server opens what was re-wrapped (it learnt the key), and counts and marks are as they were.
    await expect.poll(() => t.server.envelope.keyring.activeId, { timeout: 10_000 }).toBe(report.activeKey);
    expect((await t.api.get<OrderView>(`/api/orders/${order.id}`, order.token)).body.identity).toEqual(before.identity);
    expect(await t.server.db.cardsOf(holderKey(t.server.envelope, who?.idNumber ?? ''))).toBe(count);
    expect((await t.api.post<MarkVerification>('/api/agents/verify', { payload: mark.payload })).body).toMatchObject({ genuine: true, origin });
    // New objects are sealed under the new key.
    expect((await t.api.upload<EvidenceResult>(order.id, order.token, 'portrait', card.images.portrait)).status).toBe(200);
    expect([...(await keysInUse(await rotationTools())).keys()]).toEqual([report.activeKey]);
  });
});

describe('a keyring that is not the data\'s', () => {
  it('stops the start, instead of sealing new data beside data it cannot open and counting cards afresh', async () => {
    const dir = path.join(t.dir, 'other-keyring');
    const config = loadConfig(testEnv(dir));
    const keyFile = path.join(config.dataDir, 'keys.json');
    const first = await start(config, { engine: t.engine });
    await first.stop();
    const theData = JSON.parse(await readFile(keyFile, 'utf8')) as ReturnType<typeof newKeyring>;

    // Another installation's keyring (a fresh `rotate-key --init` put in place of the one in use).
    await writeFile(keyFile, JSON.stringify(newKeyring()));
    await expect(start(config, { engine: t.engine })).rejects.toThrow(/sealed under another keyring: its evidence keys/);
    // The data's evidence keys, another digest root: every count and mark would start again.
    await writeFile(keyFile, JSON.stringify({ ...theData, digestRoot: newKeyring().digestRoot }));
    await expect(start(config, { engine: t.engine })).rejects.toThrow(/sealed under another keyring: its digest root/);

    // The data's own keyring starts.
    await writeFile(keyFile, JSON.stringify(theData));
    const again = await start(config, { engine: t.engine });
    await again.stop();
  });
});

describe('data files', () => {
  it('are readable by their owner only, whatever the umask', async () => {
    const dir = path.join(t.dir, 'umask');
    const env = { ...process.env, ...testEnv(dir), LOG_LEVEL: 'info', PROVISIONING_MOCK_LATENCY_MS: '0' };
    const server = spawn('sh', ['-c', 'umask 000 && exec "$0" --import tsx bff/src/server.ts', process.execPath], { cwd: ROOT, env });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        server.stderr.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('listening on')) resolve();
        });
        server.once('exit', (code) => reject(new Error(`the server stopped (${code}): ${out}`)));
      });
      const dataDir = path.join(dir, 'data');
      const entries = await readdir(dataDir, { recursive: true });
      expect(entries).toEqual(expect.arrayContaining(['orders.db', 'orders.db-wal', 'orders.db-shm', 'limits.db', 'keys.json', 'operator.token']));
      for (const entry of [...entries, '.']) {
        const mode = (await stat(path.join(dataDir, entry))).mode & 0o777;
        expect({ entry, othersMayRead: (mode & 0o077) !== 0 }).toEqual({ entry, othersMayRead: false });
      }
    } finally {
      server.kill('SIGTERM');
    }
  });
});
