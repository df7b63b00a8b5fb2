import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentMark } from '@shared';
import { DEMO_AGENT } from '../../bff/src/services/channelService.js';
import { getWithHost } from '../support/api.js';
import { type TestServer, startTestServer } from '../support/testServer.js';

/** The storage shim index.html runs before the app, as the build writes it. */
const SHIM = `
      for (const name of ['localStorage', 'sessionStorage']) { try { window[name].getItem(''); } catch { /* memory */ } }
    `;
const INDEX = `<!doctype html><html><head><script>${SHIM}</script></head><body><div id="app"></div><script type="module" src="/assets/index.js"></script></body></html>`;

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ PUBLIC_URL: 'https://sim.operator.example' });
  await mkdir(path.join(t.dir, 'web'), { recursive: true });
  await writeFile(path.join(t.dir, 'web', 'index.html'), INDEX);
});

afterAll(async () => {
  await t.stop();
});

const headersOf = async (url: string, init: RequestInit = {}): Promise<Headers> => (await fetch(`${t.server.url}${url}`, init)).headers;
const directive = (csp: string | null, name: string): string | undefined => csp?.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `));

describe('response headers', () => {
  it('frame the SPA only where allowed, /index.html included', async () => {
    const page = await headersOf('/buy/number');
    const byName = await headersOf('/index.html');
    expect(directive(byName.get('content-security-policy'), 'frame-ancestors')).toBe(directive(page.get('content-security-policy'), 'frame-ancestors'));
    expect(directive(byName.get('content-security-policy'), 'frame-ancestors')).toMatch(/^frame-ancestors 'self'/);
  });

  it('run no inline script but the storage shim, by its hash', async () => {
    const csp = (await headersOf('/')).get('content-security-policy') ?? '';
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain("'unsafe-eval'");
    const hash = createHash('sha256').update(SHIM).digest('base64');
    expect(directive(csp, 'script-src')).toBe(`script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}'`);
    expect(directive(csp, 'object-src')).toBe("object-src 'none'");
  });

  it.each(['/', '/api/health', '/api/numbers', '/embed.js'])('on %s: nosniff, no referrer, the camera for this site only, no HSTS in the sandbox', async (url) => {
    const headers = await headersOf(url);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('permissions-policy')).toMatch(/camera=\(self\)/);
    expect(headers.get('permissions-policy')).toMatch(/microphone=\(\)/);
    expect(headers.get('strict-transport-security')).toBeNull();
    expect(headers.get('content-security-policy')).toBeTruthy();
  });

  it('answer the API with a policy that runs nothing and frames nowhere', async () => {
    expect((await headersOf('/api/health')).get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  });
});

describe('links', () => {
  it('are built from the sandbox\'s own address (or PUBLIC_URL), whatever Host a request names', async () => {
    const sandbox = await startTestServer({}, { engine: t.engine });
    try {
      const origin = `http://localhost:${sandbox.server.port}`;
      const res = await getWithHost(`${sandbox.server.url}/api/agents/${DEMO_AGENT.agentNumber}/mark`, 'evil.example', { origin });
      expect(res.status).toBe(200);
      expect((JSON.parse(res.body) as AgentMark).verifyUrl.startsWith(`${origin}/agents/verify#`)).toBe(true);
      const page = await getWithHost(`${sandbox.server.url}/demo/storefront`, 'evil.example');
      expect(page.body).not.toContain('evil.example');
    } finally {
      await sandbox.stop();
    }
  });

  it('never put a request\'s Host into the demo storefront\'s script, and escape what is there', async () => {
    const res = await getWithHost(`${t.server.url}/demo/storefront`, 'x"</script><script>alert(1)//');
    expect(res.body).not.toContain('alert(1)');
    expect(res.body).toContain('"https://sim.operator.example"');
    const csp = String(res.headers['content-security-policy'] ?? '');
    expect(csp).not.toContain('unsafe-inline');
    expect(directive(csp, 'frame-src')).toBe('frame-src https://sim.operator.example');
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    // Every inline script and style of the page carries the nonce.
    expect([...res.body.matchAll(/<(script|style)(?![^>]*\bsrc=)[^>]*>/g)].every((m) => m[0].includes(`nonce="${nonce}"`))).toBe(true);
  });
});
