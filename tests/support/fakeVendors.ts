import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rpcSignature, tc3Authorization } from '../../bff/src/providers/authority/signing.js';

/**
 * Local stand-ins for the vendors' HTTP APIs, for adapter tests. Each checks the request the way the
 * vendor does (signature, action, version, clock skew) and answers in the vendor's documented shapes.
 * The name in the request picks the behaviour: a known record, or a rehearsed fault.
 */
export interface FakeVendor {
  url: string;
  calls: number;
  close(): Promise<void>;
}

export const RECORDS: Record<string, string> = { '110105198803120313': '张伟' };

/** Names that rehearse faults. */
export const FAULTS = { throttled: '限流', broken: '故障', slow: '超时' } as const;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void> | void): Promise<FakeVendor> {
  const vendor = { calls: 0 } as FakeVendor;
  const server: Server = createServer((req, res) => {
    vendor.calls += 1;
    void readBody(req).then((body) => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vendor.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  vendor.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return vendor;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/** Tencent Cloud FaceID IdCardVerification. */
export function fakeTencent(secretId: string, secretKey: string): Promise<FakeVendor> {
  return listen(async (req, res, body) => {
    const respond = (response: Record<string, unknown>) => json(res, 200, { Response: { ...response, RequestId: 'fake-request' } });
    const timestamp = Number(req.headers['x-tc-timestamp']);
    const expected = tc3Authorization({ secretId, secretKey, service: 'faceid', host: req.headers.host ?? '', timestamp, payload: body });
    if (req.headers.authorization !== expected) return respond({ Error: { Code: 'AuthFailure.SignatureFailure', Message: 'signature mismatch' } });
    if (Math.abs(Date.now() / 1000 - timestamp) > 300) return respond({ Error: { Code: 'AuthFailure.SignatureExpire', Message: 'expired' } });
    if (req.headers['x-tc-action'] !== 'IdCardVerification' || req.headers['x-tc-version'] !== '2018-03-01') {
      return respond({ Error: { Code: 'InvalidAction', Message: 'no such action' } });
    }
    const { IdCard, Name } = JSON.parse(body) as { IdCard: string; Name: string };
    if (Name === FAULTS.throttled) return respond({ Error: { Code: 'RequestLimitExceeded', Message: 'too many requests' } });
    if (Name === FAULTS.broken) return json(res, 502, { message: 'bad gateway' });
    if (Name === FAULTS.slow) await new Promise((resolve) => setTimeout(resolve, 3000));
    const known = RECORDS[IdCard];
    const result = known === undefined ? '-5' : known === Name ? '0' : '-1';
    return respond({ Result: result, Description: { '0': '姓名和身份证号一致', '-1': '姓名和身份证号不一致', '-5': '证件库中无此身份证记录' }[result] });
  });
}

/** Alibaba Cloud Cloudauth Id2MetaVerify (RPC, form-encoded POST). */
export function fakeAlibaba(accessKeyId: string, accessKeySecret: string): Promise<FakeVendor> {
  return listen(async (_req, res, body) => {
    const params = Object.fromEntries(new URLSearchParams(body));
    const { Signature, ...signed } = params;
    if (params.AccessKeyId !== accessKeyId || Signature !== rpcSignature('POST', signed, accessKeySecret)) {
      return json(res, 400, { Code: 'SignatureDoesNotMatch', Message: 'signature mismatch', RequestId: 'fake' });
    }
    if (params.Action !== 'Id2MetaVerify' || params.Version !== '2019-03-07') return json(res, 400, { Code: 'InvalidAction', RequestId: 'fake' });
    if (params.UserName === FAULTS.throttled) return json(res, 400, { Code: 'Throttling.User', Message: 'throttled', RequestId: 'fake' });
    if (params.UserName === FAULTS.broken) return json(res, 503, { Code: 'ServiceUnavailable', RequestId: 'fake' });
    if (params.UserName === FAULTS.slow) await new Promise((resolve) => setTimeout(resolve, 3000));
    const known = RECORDS[params.IdentifyNum ?? ''];
    const bizCode = known === undefined ? '3' : known === params.UserName ? '1' : '2';
    return json(res, 200, { Code: '200', Message: 'success', RequestId: 'fake', ResultObject: { BizCode: bizCode } });
  });
}

/** An operator's own gateway speaking the port's JSON contract. */
export function fakeGateway(token: string): Promise<FakeVendor> {
  return listen(async (req, res, body) => {
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'unauthorised' });
    const { name, idNumber } = JSON.parse(body) as { name: string; idNumber: string };
    if (name === FAULTS.throttled) return json(res, 429, { error: 'slow down' });
    if (name === FAULTS.broken) return json(res, 500, { error: 'broken' });
    if (name === FAULTS.slow) await new Promise((resolve) => setTimeout(resolve, 3000));
    const known = RECORDS[idNumber];
    return json(res, 200, { outcome: known === undefined ? 'no_record' : known === name ? 'match' : 'mismatch' });
  });
}
