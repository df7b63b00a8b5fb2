import { mkdtemp, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, healthSchema } from '@shared';
import { ConfigError, loadConfig } from '../../bff/src/config.js';
import { type RunningServer, start } from '../../bff/src/server.js';
import { testEnv } from '../support/testServer.js';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sim-bff-'));
  const webDist = path.join(dir, 'web');
  await mkdir(webDist);
  await writeFile(path.join(webDist, 'index.html'), '<!doctype html><title>spa</title><div id="app"></div>');
  server = await start(loadConfig({ ...testEnv(dir), WEB_DIST: webDist }));
});

afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the BFF', () => {
  it('answers health with JSON', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = healthSchema.parse(await res.json());
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers an unknown API path with 404 and the error body', async () => {
    const res = await fetch(`${server.url}/api/nope`);
    expect(res.status).toBe(404);
    expect(errorBodySchema.parse(await res.json()).error.code).toBe('not_found');
  });

  it('answers malformed JSON with 400 and the error body, and keeps serving', async () => {
    const res = await fetch(`${server.url}/api/health`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(res.status).toBe(400);
    expect(errorBodySchema.parse(await res.json()).error.code).toBe('bad_request');
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it('publishes an OpenAPI document generated from the shared schemas', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/numbers', '/api/holds', '/api/orders', '/api/orders/{id}/evidence/{kind}', '/api/orders/{id}/submit']));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Order', 'Decision', 'Error', 'CreateOrderRequest']));
    const order = doc.components.schemas.Order as { properties: { state: { enum: string[] } } };
    expect(order.properties.state.enum).toContain('approved');
  });

  it('serves the SPA for client-side routes', async () => {
    for (const route of ['/', '/buy/number', '/courier']) {
      const res = await fetch(`${server.url}${route}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="app">');
    }
  });

  it('sends the web files and the face models gzipped, never the API\'s answers', async () => {
    await mkdir(path.join(dir, 'web', 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'web', 'assets', 'app.js'), `export const app = ${JSON.stringify('x'.repeat(4000))};\n`);
    const asked = (url: string) => fetch(`${server.url}${url}`, { headers: { 'accept-encoding': 'gzip' } });
    const script = await asked('/assets/app.js');
    expect([script.status, script.headers.get('content-encoding')]).toEqual([200, 'gzip']);
    expect(await script.text()).toContain('xxxx');
    const manifest = await asked('/models/tiny_face_detector_model-weights_manifest.json');
    expect([manifest.status, manifest.headers.get('content-encoding')]).toEqual([200, 'gzip']);
    const api = await asked('/api/openapi.json');
    expect([api.status, api.headers.get('content-encoding')]).toEqual([200, null]);
  });

  it('creates its data folder readable by its owner only', async () => {
    const info = await stat(path.join(dir, 'data'));
    expect(info.isDirectory()).toBe(true);
    expect(info.mode & 0o077).toBe(0);
  });
});

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, logLevel: 'info', faceMatchMaxDistance: 0.48 });
    expect(config.dataDir).toBe(path.resolve('data'));
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ FACE_MATCH_MAX_DISTANCE: '3' }, /FACE_MATCH_MAX_DISTANCE/],
  ])('refuses %j with a readable message', (env, pattern) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(pattern);
  });
});
