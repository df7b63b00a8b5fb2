import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../bff/src/config.js';
import { AlibabaAuthority } from '../../bff/src/providers/authority/alibaba.authority.js';
import { createAuthority } from '../../bff/src/providers/authority/index.js';
import type { AuthorityOutcome, AuthorityPort } from '../../bff/src/providers/authority/authority.port.js';
import { HttpAuthority } from '../../bff/src/providers/authority/http.authority.js';
import { rpcSignature } from '../../bff/src/providers/authority/signing.js';
import { TencentAuthority } from '../../bff/src/providers/authority/tencent.authority.js';
import { FAULTS, type FakeVendor, RECORD_PHOTO, fakeAlibaba, fakeGateway, fakeTencent } from '../support/fakeVendors.js';

const RETRY = { attempts: 3, backoffMs: 10, timeoutMs: 500 };
const ID = '110105198803120313';

type Setup = (wrongSecret: boolean) => Promise<{ vendor: FakeVendor; adapter: AuthorityPort }>;
const ADAPTERS: [string, Setup][] = [
  ['Tencent Cloud FaceID', async (wrong) => {
    const vendor = await fakeTencent('AKIDtest', 'secret-key');
    return { vendor, adapter: new TencentAuthority({ secretId: 'AKIDtest', secretKey: wrong ? 'other' : 'secret-key', endpoint: vendor.url, region: 'ap-guangzhou', retry: RETRY }) };
  }],
  ['Alibaba Cloud Cloudauth', async (wrong) => {
    const vendor = await fakeAlibaba('LTAItest', 'access-secret');
    return { vendor, adapter: new AlibabaAuthority({ accessKeyId: 'LTAItest', accessKeySecret: wrong ? 'other' : 'access-secret', endpoint: vendor.url, sceneId: '1000001', retry: RETRY }) };
  }],
  ['a generic HTTP gateway', async (wrong) => {
    const vendor = await fakeGateway('gateway-token');
    return { vendor, adapter: new HttpAuthority({ url: vendor.url, token: wrong ? 'other' : 'gateway-token', retry: RETRY }) };
  }],
];

let vendor: FakeVendor | undefined;
afterEach(async () => {
  await vendor?.close();
  vendor = undefined;
});

describe.each(ADAPTERS)('national ID check through %s', (_name, setup) => {
  it.each([
    ['张伟', ID, 'match', 1],
    ['李四', ID, 'mismatch', 1],
    ['王五', '11010519491231002X', 'no_record', 1],
    [FAULTS.throttled, ID, 'rate_limited', 3],
    [FAULTS.broken, ID, 'source_error', 3],
    [FAULTS.slow, ID, 'source_error', 3],
  ] as [string, string, AuthorityOutcome, number][])('maps %s / %s to %s after %i call(s)', async (name, idNumber, outcome, calls) => {
    const made = await setup(false);
    vendor = made.vendor;
    expect(await made.adapter.verifyIdentity({ name, idNumber })).toMatchObject({ outcome });
    expect(vendor.calls).toBe(calls);
  });

  it.each([
    ['the photo on record', '张伟', ID, RECORD_PHOTO, { outcome: 'match', portrait: { match: true } }],
    ['another photo', '张伟', ID, Buffer.from('someone else'), { outcome: 'match', portrait: { match: false } }],
    ['a record without a portrait', '王芳', '440524188001010014', RECORD_PHOTO, { outcome: 'no_photo' }],
    ['a wrong name', '李四', ID, RECORD_PHOTO, { outcome: 'mismatch' }],
    ['an unknown number', '王五', '11010519491231002X', RECORD_PHOTO, { outcome: 'no_record' }],
  ] as const)('three-element check with %s', async (_case, name, idNumber, photo, expected) => {
    const made = await setup(false);
    vendor = made.vendor;
    const result = await made.adapter.verifyIdentity({ name, idNumber, photo });
    expect(result).toMatchObject(expected);
    if (result.portrait) expect(result.portrait.similarity).toBeGreaterThan(result.portrait.match ? 70 : 0);
    if (!('portrait' in expected)) expect(result.portrait).toBeUndefined();
    expect(vendor.calls).toBe(1);
  });

  it('answers source_error without retrying when the credentials are wrong', async () => {
    const made = await setup(true);
    vendor = made.vendor;
    expect((await made.adapter.verifyIdentity({ name: '张伟', idNumber: ID })).outcome).toBe('source_error');
    expect(vendor.calls).toBe(1);
  });

  it('gives up when the caller cancels', async () => {
    const made = await setup(false);
    vendor = made.vendor;
    const result = await made.adapter.verifyIdentity({ name: FAULTS.slow, idNumber: ID }, AbortSignal.timeout(100));
    expect(result.outcome).toBe('source_error');
    expect(vendor.calls).toBe(1);
  });
});

describe('choosing the adapter by configuration', () => {
  it('wires the adapter the environment names', async () => {
    vendor = await fakeGateway('gateway-token');
    const config = loadConfig({ AUTHORITY_ADAPTER: 'http', AUTHORITY_HTTP_URL: vendor.url, AUTHORITY_HTTP_TOKEN: 'gateway-token' });
    expect(await createAuthority(config.authority).verifyIdentity({ name: '张伟', idNumber: ID })).toEqual({ outcome: 'match', source: 'http' });
  });

  it.each([
    [{ AUTHORITY_ADAPTER: 'tencent' }, /TENCENT_SECRET_ID: required when AUTHORITY_ADAPTER=tencent/],
    [{ AUTHORITY_ADAPTER: 'alibaba', ALIBABA_ACCESS_KEY_ID: 'x' }, /ALIBABA_ACCESS_KEY_SECRET: required/],
    [{ AUTHORITY_ADAPTER: 'alibaba', ALIBABA_ACCESS_KEY_ID: 'x', ALIBABA_ACCESS_KEY_SECRET: 'y' }, /ALIBABA_SCENE_ID: required/],
    [{ AUTHORITY_ADAPTER: 'http' }, /AUTHORITY_HTTP_URL: required/],
    [{ AUTHORITY_ADAPTER: 'http', AUTHORITY_HTTP_URL: 'not a url' }, /AUTHORITY_HTTP_URL/],
    [{ AUTHORITY_ADAPTER: 'baidu' }, /AUTHORITY_ADAPTER/],
  ])('refuses to start with %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('request signing', () => {
  it('computes the published Alibaba Cloud RPC signature example', () => {
    // The DescribeRegions example of the RPC signature documentation (AccessKey testid / testsecret).
    expect(rpcSignature('GET', {
      TimeStamp: '2016-02-23T12:46:24Z', Format: 'XML', AccessKeyId: 'testid', Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1', SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf', Version: '2014-05-26', SignatureVersion: '1.0',
    }, 'testsecret')).toBe('CT9X0VtwR86fNWSnsc6v8YGOjuE=');
  });
});
