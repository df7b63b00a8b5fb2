import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../bff/src/config.js';
import { type VisionEngine, createVisionEngine } from '../../bff/src/engine/visionEngine.js';
import { start } from '../../bff/src/server.js';
import { SANDBOX_COURIERS } from '../../bff/src/sandbox/couriers.js';
import { DEMO_AGENT } from '../../bff/src/services/channelService.js';
import { ApiClient } from '../support/api.js';
import { type FakeVendor, fakeCarrierGateway, fakeGateway, fakeProvisioningGateway, fakeSmsGateway } from '../support/fakeVendors.js';
import { testEnv } from '../support/testServer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let dir: string;
let engine: VisionEngine;
let vendors: FakeVendor[];
/** Everything production needs, with the operator's gateways (fakes here) in place of the stand-ins. */
let production: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-prod-'));
  await mkdir(path.join(dir, 'keys'), { mode: 0o700 });
  engine = createVisionEngine({ threads: 1, maxQueue: 8 });
  vendors = [await fakeGateway('gateway-token'), await fakeProvisioningGateway('bss-token'), await fakeCarrierGateway('carrier-token'), await fakeSmsGateway('sms-token')];
  const [authority, provisioning, carrier, sms] = vendors;
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c00000' } }).png().toFile(path.join(dir, 'logo.png'));
  production = {
    ...testEnv(dir),
    RUN_MODE: 'production',
    OPERATOR_NAME: '示例移动 Example Mobile',
    OPERATOR_LOGO: path.join(dir, 'logo.png'),
    PUBLIC_URL: 'https://sim.operator.example',
    KEY_FILE: path.join(dir, 'keys', 'keys.json'),
    AUTHORITY_ADAPTER: 'http', AUTHORITY_HTTP_URL: authority?.url ?? '', AUTHORITY_HTTP_TOKEN: 'gateway-token',
    PROVISIONING_ADAPTER: 'http', PROVISIONING_HTTP_URL: provisioning?.url ?? '', PROVISIONING_HTTP_TOKEN: 'bss-token',
    BILLING_ADAPTER: 'http', BILLING_HTTP_URL: 'https://billing.operator.example', BILLING_HTTP_TOKEN: 'billing-token',
    LOGISTICS_ADAPTER: 'http', LOGISTICS_HTTP_URL: carrier?.url ?? '', LOGISTICS_HTTP_TOKEN: 'carrier-token', LOGISTICS_WEBHOOK_SECRET: 'carrier-signing-secret-0001',
    NOTIFIER: 'http', SMS_HTTP_URL: sms?.url ?? '', SMS_HTTP_TOKEN: 'sms-token',
  };
});

afterAll(async () => {
  await engine.close();
  await Promise.all(vendors.map((v) => v.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('production refuses to start', () => {
  const refusals: [string, Record<string, string | undefined>, RegExp][] = [
    ['with the mock national ID service', { AUTHORITY_ADAPTER: 'mock' }, /AUTHORITY_ADAPTER: production refuses the mock national ID service/],
    ['with the mock provisioning system', { PROVISIONING_ADAPTER: 'mock' }, /PROVISIONING_ADAPTER: production refuses the sandbox provisioning stand-in/],
    ['with the sandbox billing system', { BILLING_ADAPTER: 'mock' }, /BILLING_ADAPTER: production refuses the sandbox billing stand-in/],
    ['with the mock carrier', { LOGISTICS_ADAPTER: 'mock' }, /LOGISTICS_ADAPTER: production refuses the sandbox carrier/],
    ['with the sandbox SMS centre', { NOTIFIER: undefined }, /NOTIFIER: production refuses the sandbox SMS centre/],
    ['without PUBLIC_URL', { PUBLIC_URL: undefined }, /PUBLIC_URL: production refuses to start without PUBLIC_URL/],
    ['with a PUBLIC_URL that is not https', { PUBLIC_URL: 'http://sim.operator.example' }, /PUBLIC_URL: production refuses an address that is not https/],
    ['with the keys inside DATA_DIR', { KEY_FILE: undefined }, /KEY_FILE: production refuses keys inside DATA_DIR/],
    ['under the sandbox\'s operator name', { OPERATOR_NAME: undefined }, /OPERATOR_NAME: production refuses the sandbox's operator name/],
    ['under the sandbox\'s operator name, set by hand', { OPERATOR_NAME: '沙盒移动 Sandbox Mobile' }, /OPERATOR_NAME: production refuses the sandbox's operator name/],
    ['with the sandbox\'s logo on agent marks', { OPERATOR_LOGO: undefined }, /OPERATOR_LOGO: production refuses the sandbox's logo/],
    ['with the live check\'s colours fixed by a seed', { LIVENESS_COLOUR_SEED: 'recorded-camera' }, /LIVENESS_COLOUR_SEED: production refuses a fixed colour sequence/],
  ];

  it.each(refusals)('%s', (_what, change, message) => {
    const env = { ...production, ...change };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('with a logo that is no picture, or an SVG that runs script', async () => {
    const svg = path.join(dir, 'logo.svg');
    await writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    await expect(start(loadConfig({ ...production, OPERATOR_LOGO: svg, DATA_DIR: path.join(dir, 'logo-data') }), { engine })).rejects.toThrow(/OPERATOR_LOGO: .* is not a PNG, or an SVG without script/);
  });

  it('with WEB_DIST overlapping DATA_DIR (sandbox too: the data would be served as web files)', () => {
    expect(() => loadConfig({ ...testEnv(dir), WEB_DIST: dir })).toThrow(/WEB_DIST: must not overlap DATA_DIR/);
    expect(() => loadConfig({ ...testEnv(dir), WEB_DIST: path.join(dir, 'data', 'web') })).toThrow(/WEB_DIST: must not overlap DATA_DIR/);
  });

  it('as a process: it names every refusal and exits without listening', async () => {
    const env = { ...process.env, ...production, AUTHORITY_ADAPTER: 'mock', LOGISTICS_ADAPTER: 'mock', PORT: '0' };
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bff/src/server.ts'], { cwd: ROOT, env });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/AUTHORITY_ADAPTER[\s\S]*LOGISTICS_ADAPTER/) as string });
  });

  it('without a keyring made on purpose (it makes none of its own)', async () => {
    const config = loadConfig({ ...production, DATA_DIR: path.join(dir, 'nokeys'), KEY_FILE: path.join(dir, 'keys', 'missing.json') });
    await expect(start(config, { engine })).rejects.toThrow(/rotate-key -- --init/);
  });
});

describe('production on a data folder a sandbox used', () => {
  it('refuses the sandbox couriers\' public codes, sells through no demo agent, serves no demo storefront, and says it is not a sandbox', async () => {
    const dataDir = path.join(dir, 'shared-data');
    // First a sandbox run on this folder: its couriers, its demo agent, its made-up stock.
    const sandbox = await start(loadConfig({ ...testEnv(dir), DATA_DIR: dataDir, KEY_FILE: path.join(dir, 'keys', 'keys.json') }), { engine });
    const sandboxApi = new ApiClient(sandbox.url);
    expect((await sandboxApi.get('/api/courier/me', SANDBOX_COURIERS[0].token)).status).toBe(200);
    expect((await sandboxApi.get<{ numbers: unknown[] }>('/api/numbers')).body.numbers.length).toBeGreaterThan(0);
    await sandbox.stop();

    const server = await start(loadConfig({ ...production, DATA_DIR: dataDir }), { engine });
    try {
      const api = new ApiClient(server.url);
      for (const courier of SANDBOX_COURIERS) {
        expect((await api.get('/api/courier/me', courier.token)).status).toBe(401);
        expect((await api.get('/api/courier/deliveries/SBX000000000001', courier.token)).status).toBe(401);
      }
      expect((await api.get<{ agents: { agentNumber: string }[] }>('/api/agents')).body.agents.map((a) => a.agentNumber)).not.toContain(DEMO_AGENT.agentNumber);
      const hold = await api.post<{ holdId: string; holdToken: string }>('/api/holds', { msisdn: '17000000000' });
      expect(hold.status).toBe(409);
      expect((await api.get<{ numbers: unknown[] }>('/api/numbers')).body.numbers).toEqual([]);
      expect((await fetch(`${server.url}/demo/storefront`)).status).toBe(404);
      expect((await api.get('/api/environment')).body).toMatchObject({ mode: 'production', notices: true });
      expect((await api.get('/api/sandbox/sms')).status).toBe(404);
      // The marks show the operator's own logo.
      const logo = await fetch(`${server.url}/api/operator/logo`);
      expect([logo.status, logo.headers.get('content-type')]).toEqual([200, 'image/png']);
      expect(Buffer.from(await logo.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
      const res = await fetch(`${server.url}/api/health`);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
      // Links point to PUBLIC_URL only.
      expect(server.publicUrl).toBe('https://sim.operator.example');
    } finally {
      await server.stop();
    }
  });
});
