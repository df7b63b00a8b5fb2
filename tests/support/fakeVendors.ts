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

export const RECORDS: Record<string, string> = { '110105198803120313': '张伟', '440524188001010014': '王芳' };

/**
 * Portraits on record, for the three-element check: the fake compares bytes, a real service faces.
 * 张伟's record holds this photo; 王芳's record has no portrait.
 */
export const RECORD_PHOTO = Buffer.from('a photo of 张伟 as the record holds it');
const PORTRAITS: Record<string, Buffer> = { '110105198803120313': RECORD_PHOTO };

/** What a service says about a photo against a record: similarity 0-100, or no portrait on record. */
function comparePhoto(idNumber: string, base64: string): number | 'no_photo' {
  const onRecord = PORTRAITS[idNumber];
  if (!onRecord) return 'no_photo';
  return Buffer.from(base64, 'base64').equals(onRecord) ? 91.5 : 23.4;
}

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

/** Tencent Cloud FaceID: IdCardVerification (two-element) and ImageRecognitionV2 (three-element). */
export function fakeTencent(secretId: string, secretKey: string): Promise<FakeVendor> {
  return listen(async (req, res, body) => {
    const respond = (response: Record<string, unknown>) => json(res, 200, { Response: { ...response, RequestId: 'fake-request' } });
    const timestamp = Number(req.headers['x-tc-timestamp']);
    const expected = tc3Authorization({ secretId, secretKey, service: 'faceid', host: req.headers.host ?? '', timestamp, payload: body });
    if (req.headers.authorization !== expected) return respond({ Error: { Code: 'AuthFailure.SignatureFailure', Message: 'signature mismatch' } });
    if (Math.abs(Date.now() / 1000 - timestamp) > 300) return respond({ Error: { Code: 'AuthFailure.SignatureExpire', Message: 'expired' } });
    const action = req.headers['x-tc-action'];
    if ((action !== 'IdCardVerification' && action !== 'ImageRecognitionV2') || req.headers['x-tc-version'] !== '2018-03-01') {
      return respond({ Error: { Code: 'InvalidAction', Message: 'no such action' } });
    }
    const { IdCard, Name, ImageBase64 } = JSON.parse(body) as { IdCard: string; Name: string; ImageBase64?: string };
    if (Name === FAULTS.throttled) return respond({ Error: { Code: 'RequestLimitExceeded', Message: 'too many requests' } });
    if (Name === FAULTS.broken) return json(res, 502, { message: 'bad gateway' });
    if (Name === FAULTS.slow) await new Promise((resolve) => setTimeout(resolve, 3000));
    const known = RECORDS[IdCard];
    if (action === 'ImageRecognitionV2') {
      if (!ImageBase64) return respond({ Error: { Code: 'InvalidParameter', Message: 'ImageBase64 missing' } });
      if (known === undefined) return respond({ Result: 'FailedOperation.IdNoExistSystem', Description: '库中无此号', Sim: 0 });
      if (known !== Name) return respond({ Result: 'FailedOperation.IdNameMisMatch', Description: '姓名和身份证号不一致', Sim: 0 });
      const sim = comparePhoto(IdCard, ImageBase64);
      if (sim === 'no_photo') return respond({ Result: 'FailedOperation.IdPhotoNoExist', Description: '库中无此用户照片', Sim: 0 });
      return respond(sim >= 70 ? { Result: 'Success', Description: '成功', Sim: sim } : { Result: 'FailedOperation.CompareLowSimilarity', Description: '比对相似度未达到通过标准', Sim: sim });
    }
    const result = known === undefined ? '-5' : known === Name ? '0' : '-1';
    return respond({ Result: result, Description: { '0': '姓名和身份证号一致', '-1': '姓名和身份证号不一致', '-5': '证件库中无此身份证记录' }[result] });
  });
}

/** Alibaba Cloud Cloudauth: Id2MetaVerify (two-element) and ContrastFaceVerify (three-element), RPC, form-encoded POST. */
export function fakeAlibaba(accessKeyId: string, accessKeySecret: string): Promise<FakeVendor> {
  return listen(async (_req, res, body) => {
    const params = Object.fromEntries(new URLSearchParams(body));
    const { Signature, ...signed } = params;
    if (params.AccessKeyId !== accessKeyId || Signature !== rpcSignature('POST', signed, accessKeySecret)) {
      return json(res, 400, { Code: 'SignatureDoesNotMatch', Message: 'signature mismatch', RequestId: 'fake' });
    }
    if ((params.Action !== 'Id2MetaVerify' && params.Action !== 'ContrastFaceVerify') || params.Version !== '2019-03-07') {
      return json(res, 400, { Code: 'InvalidAction', RequestId: 'fake' });
    }
    const name = params.UserName ?? params.CertName;
    if (name === FAULTS.throttled) return json(res, 400, { Code: 'Throttling.User', Message: 'throttled', RequestId: 'fake' });
    if (name === FAULTS.broken) return json(res, 503, { Code: 'ServiceUnavailable', RequestId: 'fake' });
    if (name === FAULTS.slow) await new Promise((resolve) => setTimeout(resolve, 3000));
    if (params.Action === 'ContrastFaceVerify') {
      if (!params.SceneId || params.ProductCode !== 'ID_MIN' || params.CertType !== 'IDENTITY_CARD' || !params.FaceContrastPicture) {
        return json(res, 400, { Code: 'MissingParameter', Message: 'SceneId, ProductCode, CertType and FaceContrastPicture are required', RequestId: 'fake' });
      }
      const known = RECORDS[params.CertNo ?? ''];
      const sim = known === name ? comparePhoto(params.CertNo ?? '', params.FaceContrastPicture) : 0;
      const subCode = known === undefined ? '202' : known !== name ? '201' : sim === 'no_photo' ? '203' : sim >= 70 ? '200' : '204';
      const material = typeof sim === 'number' ? JSON.stringify({ faceAttack: 'F', facialPictureFront: { qualityScore: 88.4, verifyScore: sim } }) : undefined;
      return json(res, 200, {
        Code: '200', Message: 'success', RequestId: 'fake',
        ResultObject: { CertifyId: 'fake-certify', Passed: subCode === '200' ? 'T' : 'F', SubCode: subCode, ...(material ? { MaterialInfo: material } : {}) },
      });
    }
    const known = RECORDS[params.IdentifyNum ?? ''];
    const bizCode = known === undefined ? '3' : known === params.UserName ? '1' : '2';
    return json(res, 200, { Code: '200', Message: 'success', RequestId: 'fake', ResultObject: { BizCode: bizCode } });
  });
}

/** An operator's own gateway speaking the port's JSON contract. */
export function fakeGateway(token: string): Promise<FakeVendor> {
  return listen(async (req, res, body) => {
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'unauthorised' });
    const { name, idNumber, photo } = JSON.parse(body) as { name: string; idNumber: string; photo?: string };
    if (name === FAULTS.throttled) return json(res, 429, { error: 'slow down' });
    if (name === FAULTS.broken) return json(res, 500, { error: 'broken' });
    if (name === FAULTS.slow) await new Promise((resolve) => setTimeout(resolve, 3000));
    const known = RECORDS[idNumber];
    if (known === undefined) return json(res, 200, { outcome: 'no_record' });
    if (known !== name) return json(res, 200, { outcome: 'mismatch' });
    if (!photo) return json(res, 200, { outcome: 'match' });
    const sim = comparePhoto(idNumber, photo);
    return json(res, 200, sim === 'no_photo' ? { outcome: 'no_photo' } : { outcome: 'match', portrait: { similarity: sim, match: sim >= 70 } });
  });
}

/**
 * An operator's provisioning gateway (the HTTP adapter's contract): activate, suspend, resume and terminate with an
 * idempotency key (the same key answers as the first time), refusals as 4xx codes, and a share of
 * calls answered 503 when `busy` is set, as a loaded BSS does.
 */
export function fakeProvisioningGateway(token: string, options: { busy?: number; latencyMs?: number } = {}): Promise<FakeVendor & { changes: string[]; keys: Map<string, Set<string>> }> {
  const answers = new Map<string, { status: number; body: unknown }>();
  const sims = new Map<string, { msisdn: string; status: string }>();
  const changes: string[] = [];
  /** The idempotency keys each card was asked with. */
  const keys = new Map<string, Set<string>>();
  return listen(async (req, res, body) => {
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'unauthorised' });
    if (req.method === 'GET') {
      const iccid = decodeURIComponent(req.url?.split('/').at(-1) ?? '');
      const sim = sims.get(iccid);
      return json(res, 200, sim ? { iccid, ...sim } : { iccid, status: 'inactive' });
    }
    if (Math.random() < (options.busy ?? 0)) return json(res, 503, { error: 'busy' });
    const key = String(req.headers['idempotency-key'] ?? '');
    const asked = (JSON.parse(body) as { iccid: string }).iccid;
    keys.set(asked, (keys.get(asked) ?? new Set<string>()).add(key));
    // A slow system: the change is made after the wait, whether the caller still listens or not.
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const seen = answers.get(key);
    if (seen) return json(res, seen.status, seen.body);
    const { iccid, msisdn } = JSON.parse(body) as { iccid: string; msisdn: string };
    const operation = req.url?.split('/').at(-1) ?? '';
    const to = ({ activate: 'active', suspend: 'suspended', resume: 'active', terminate: 'stopped' } as Record<string, string>)[operation];
    if (!to) return json(res, 404, { error: 'no such operation' });
    const bound = [...sims.entries()].find(([, sim]) => sim.msisdn === msisdn)?.[0];
    const answer = (bound && bound !== iccid) || sims.get(iccid)?.status === 'stopped'
      ? { status: 409, body: { code: 'number_conflict' } }
      : { status: 200, body: { iccid, msisdn, status: to, at: new Date().toISOString() } };
    if (answer.status === 200) {
      sims.set(iccid, { msisdn, status: to });
      changes.push(`${operation} ${iccid}`);
    }
    answers.set(key, answer);
    return json(res, answer.status, answer.body);
  }).then((vendor) => Object.assign(vendor, { changes, keys }));
}

/** A carrier's booking API behind the operator's logistics gateway: one tracking number per order. */
export function fakeCarrierGateway(token: string, carrier = 'SF'): Promise<FakeVendor> {
  const bookings = new Map<string, string>();
  return listen((req, res, body) => {
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'unauthorised' });
    const { orderId } = JSON.parse(body) as { orderId: string };
    const key = String(req.headers['idempotency-key'] ?? orderId);
    const tracking = bookings.get(key) ?? `SF${String(bookings.size + 1).padStart(12, '0')}`;
    bookings.set(key, tracking);
    json(res, 200, { carrier, trackingNumber: tracking });
  });
}

/**
 * An operator's SMS gateway (the HTTP notifier's contract): a template and its parameters per
 * message; a number ending 0000 is refused (`invalid_number`), one ending 5555 finds the service
 * down (503), as the SMS services answer.
 */
export function fakeSmsGateway(token: string): Promise<FakeVendor & { messages: { to: string; template: string; params: Record<string, string> }[] }> {
  const messages: { to: string; template: string; params: Record<string, string> }[] = [];
  return listen((req, res, body) => {
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'unauthorised' });
    const message = JSON.parse(body) as { to: string; template: string; params: Record<string, string> };
    if (message.to.endsWith('0000')) return json(res, 400, { code: 'invalid_number' });
    if (message.to.endsWith('5555')) return json(res, 503, { error: 'down' });
    messages.push(message);
    json(res, 200, { messageId: `sms-${messages.length}` });
  }).then((vendor) => Object.assign(vendor, { messages }));
}
