import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorBody, PASSIVE_HEADER, STAFF_PERMISSIONS, STAFF_ROLES, type StaffAccount, type StaffCredentials, type StaffPermission, type StaffRole, type StaffSession } from '@shared';
import { scanDatabase } from '../support/scan.js';
import { admission } from '../support/agents.js';
import { StaffClient, enrol, staffMember, totpCode } from '../support/staff.js';
import { type TestServer, startTestServer } from '../support/testServer.js';

let t: TestServer;
/** The first administrator, made as `npm run staff -- add` makes one. */
let admin: StaffClient;

beforeAll(async () => {
  t = await startTestServer({ STAFF_IDLE_MINUTES: '15', STAFF_LOCK_AFTER: '5', STAFF_LOCK_MINUTES: '1' });
  admin = (await staffMember(t.server, t, ['administrator'], 'admin.first')).client;
});

afterAll(async () => {
  await t.stop();
});

const code = (body: unknown): string | undefined => (body as Partial<ErrorBody>).error?.code;
const HALF_MINUTE = 30_000;

interface Operation { method: string; path: string; permission: StaffPermission }

/** Every console operation the API documents, with the permission it asks for. */
async function consoleOperations(): Promise<Operation[]> {
  const { body } = await t.api.get<{ paths: Record<string, Record<string, { security?: Record<string, string[]>[]; 'x-permission'?: StaffPermission }>> }>('/api/openapi.json');
  return Object.entries(body.paths).flatMap(([path, operations]) => Object.entries(operations)
    .filter(([, op]) => op.security?.some((s) => 'staffSession' in s) && op['x-permission'])
    .map(([method, op]) => ({ method: method.toUpperCase(), path, permission: op['x-permission'] as StaffPermission })));
}

/** A path with its parameters filled in (an id nobody has: a granted call gets past the guard and finds nothing). */
const concrete = (path: string): string => path.replace(/\{id\}/g, '00000000-0000-4000-8000-000000000000');

describe('staff accounts', () => {
  it('start with a one-time password that only enrols: the person sets a password and links an authenticator', async () => {
    const { body: made } = await admin.call<StaffCredentials>('POST', '/api/console/staff', { username: 'wang.review', name: '王审核', roles: ['reviewer'] });
    expect(made.account).toMatchObject({ username: 'wang.review', status: 'enrolling', roles: ['reviewer'], createdBy: 'admin.first' });
    expect(made.oneTimePassword).toMatch(/^[A-Za-z2-9]{20}$/);

    const person = new StaffClient(t.server.url, 'wang.review');
    // The one-time password is no sign-in by itself.
    const direct = await person.call('POST', '/api/staff/session', { username: 'wang.review', password: made.oneTimePassword, code: '123456' });
    expect([direct.status, code(direct.body)]).toEqual([403, 'enrolment_required']);
    const { client, secret, password, code: enrolmentCode } = await enrol(t.server.url, 'wang.review', made.oneTimePassword, t);
    const session = await client.call<StaffSession>('GET', '/api/staff/session');
    expect(session.body).toMatchObject({ staff: { username: 'wang.review', name: '王审核', roles: ['reviewer'] }, permissions: ['review.decide'] });
    expect(person.cookie).toBe('');

    // The one-time password is spent.
    expect(code((await person.call('POST', '/api/staff/enrolment', { username: 'wang.review', password: made.oneTimePassword })).body)).toBe('sign_in_failed');
    // A code is good once: the one enrolment took cannot sign in again (the code itself, not one made now,
    // which on a busy machine may already belong to the next half-minute).
    const reused = await person.call('POST', '/api/staff/session', { username: 'wang.review', password, code: enrolmentCode });
    expect([reused.status, code(reused.body)]).toEqual([401, 'sign_in_failed']);
    t.advance(HALF_MINUTE);
    const signedIn = await person.call<StaffSession>('POST', '/api/staff/session', { username: 'wang.review', password, code: totpCode(secret, t.now()) });
    expect(signedIn.status).toBe(201);
    const cookie = signedIn.headers.getSetCookie().join('; ');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    // Signing out ends the session on the server, not only in the browser.
    const kept = person.cookie;
    expect((await person.call('DELETE', '/api/staff/session')).status).toBe(204);
    person.cookie = kept;
    expect(code((await person.call('GET', '/api/staff/session')).body)).toBe('session_expired');
  });

  it('allow each role only its own routes (every console operation the API documents, every role)', async () => {
    const operations = await consoleOperations();
    expect(operations.length).toBeGreaterThanOrEqual(9);
    expect(Object.keys(STAFF_PERMISSIONS)).toEqual(expect.arrayContaining([...new Set(operations.map((o) => o.permission))]));
    const members = Object.fromEntries(await Promise.all(STAFF_ROLES.map(async (role) => [role, (await staffMember(t.server, t, [role])).client] as const))) as Record<StaffRole, StaffClient>;
    const table: string[] = [];
    for (const op of operations) {
      for (const role of STAFF_ROLES) {
        // Bodies that fail validation: a granted call is refused with 400, never with 403, and changes nothing.
        const body = op.method === 'GET' ? undefined : {};
        const { status, body: answer } = await members[role].call(op.method, concrete(op.path), body);
        const granted = (STAFF_PERMISSIONS[op.permission] as readonly StaffRole[]).includes(role);
        table.push(`${op.method} ${op.path} ${role} ${granted ? 'allowed' : '403'}`);
        if (granted) expect([status, code(answer)], `${op.method} ${op.path} as ${role}`).not.toEqual([403, 'forbidden']);
        else expect([status, code(answer)], `${op.method} ${op.path} as ${role}`).toEqual([403, 'forbidden']);
        expect(status).not.toBe(401);
      }
      // And nobody signed in gets nothing.
      expect((await new StaffClient(t.server.url, 'nobody').call(op.method, concrete(op.path), op.method === 'GET' ? undefined : {})).status).toBe(401);
    }
    expect(table.length).toBe(operations.length * STAFF_ROLES.length);
  });

  it('refuse a change without the session\'s CSRF token, and one with another session\'s', async () => {
    const other = (await staffMember(t.server, t, ['administrator'])).client;
    const add = { username: 'csrf.check', name: 'CSRF', roles: ['support'] };
    const none = await admin.call('POST', '/api/console/staff', add, { csrf: false });
    expect([none.status, code(none.body)]).toEqual([403, 'csrf_failed']);
    const forged = new StaffClient(t.server.url, admin.username);
    forged.cookie = admin.cookie;
    forged.csrf = other.csrf;
    expect(code((await forged.call('POST', '/api/console/staff', add)).body)).toBe('csrf_failed');
    expect((await admin.call<{ accounts: StaffAccount[] }>('GET', '/api/console/staff')).body.accounts.map((a) => a.username)).not.toContain('csrf.check');
    expect((await admin.call('POST', '/api/console/staff', add)).status).toBe(201);
  });

  it('lock an account after five failed sign-ins, longer after each further one, whatever the network', async () => {
    const { client, secret, password } = await staffMember(t.server, t, ['auditor'], 'lock.me');
    const signIn = (pw: string) => new StaffClient(t.server.url, 'lock.me').call('POST', '/api/staff/session', { username: 'lock.me', password: pw, code: totpCode(secret, t.now()) });
    for (let i = 0; i < 4; i += 1) expect(code((await signIn('not-the-password')).body)).toBe('sign_in_failed');
    // A wrong code counts as much as a wrong password.
    const wrongCode = await new StaffClient(t.server.url, 'lock.me').call('POST', '/api/staff/session', { username: 'lock.me', password, code: '000000' });
    expect(code(wrongCode.body)).toBe('sign_in_failed');
    t.advance(HALF_MINUTE);
    const locked = await signIn(password);
    expect([locked.status, code(locked.body)]).toEqual([423, 'account_locked']);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Its session from before stays; a lock stops new sign-ins.
    expect((await client.call('GET', '/api/staff/session')).status).toBe(200);

    t.advance(61_000);
    expect(code((await signIn('still-not-it')).body)).toBe('sign_in_failed');
    const longer = await signIn(password);
    expect(code(longer.body)).toBe('account_locked');
    expect(Number(longer.headers.get('retry-after'))).toBeGreaterThan(60);
    t.advance(2 * 60_000 + 1000);
    expect((await signIn(password)).status).toBe(201);
    // A good sign-in starts the count again.
    expect(code((await signIn('wrong-once-more')).body)).toBe('sign_in_failed');
    t.advance(HALF_MINUTE);
    expect((await signIn(password)).status).toBe(201);
  });

  it('record every change with the person who made it, for auditors', async () => {
    const { client: auditor } = await staffMember(t.server, t, ['auditor']);
    const made = await admin.call<StaffCredentials>('POST', '/api/console/staff', { username: 'zhao.support', name: '赵客服', roles: ['support'] });
    await admin.call('PATCH', `/api/console/staff/${made.body.account.id}`, { roles: ['support', 'auditor'] });
    await admin.call('POST', `/api/console/staff/${made.body.account.id}/reset`);
    const { body } = await auditor.call<{ actions: { staff: string; action: string; target: string | null }[] }>('GET', '/api/console/actions');
    const mine = body.actions.filter((a) => a.target?.startsWith('zhao.support'));
    expect(mine.map((a) => [a.staff, a.action])).toEqual([['admin.first', 'staff.reset'], ['admin.first', 'staff.update'], ['admin.first', 'staff.add']]);
    expect(body.actions.some((a) => a.staff === 'lock.me' && a.action === 'staff.sign_in')).toBe(true);
    expect(body.actions.some((a) => a.staff === 'system' && a.action === 'staff.locked' && a.target === 'lock.me')).toBe(true);
  });

  it('end a person\'s sessions when they are disabled or their roles change, and keep the last administrator', async () => {
    const { client, password, secret } = await staffMember(t.server, t, ['support'], 'leaving.soon');
    const { body } = await admin.call<{ accounts: StaffAccount[] }>('GET', '/api/console/staff');
    const id = body.accounts.find((a) => a.username === 'leaving.soon')?.id ?? '';
    expect((await admin.call<StaffAccount>('PATCH', `/api/console/staff/${id}`, { disabled: true })).body.status).toBe('disabled');
    expect((await client.call('GET', '/api/staff/session')).status).toBe(401);
    t.advance(HALF_MINUTE);
    expect(code((await client.call('POST', '/api/staff/session', { username: 'leaving.soon', password, code: totpCode(secret, t.now()) })).body)).toBe('sign_in_failed');

    const self = body.accounts.find((a) => a.username === 'admin.first')?.id ?? '';
    const demote = await admin.call('PATCH', `/api/console/staff/${self}`, { roles: ['reviewer'] });
    expect([demote.status, code(demote.body)]).toEqual([403, 'forbidden']);
  });

  it('keep the authenticator secrets sealed', async () => {
    const { secret } = await staffMember(t.server, t, ['reviewer']);
    const scan = await scanDatabase(t.server.db, [secret]);
    expect(scan.values).toBeGreaterThan(0);
    expect(scan.found).toEqual([]);
  });
});

describe('the channel registry in the console', () => {
  it('is a channel manager\'s (recorded by name); the machine key still serves scripts', async () => {
    const { client: manager } = await staffMember(t.server, t, ['channel_manager'], 'qian.channels');
    const created = await manager.call<{ channel: { id: string; agentNumber: string } }>('POST', '/api/operator/channels', {
      agentNumber: 'AG-STAFF-0001', name: '测试代理商', licenceNumber: '91350100M000100Y43', scope: ['sim_sale'], origins: ['https://shop.example.cn'], webhookUrl: null, admission: admission(),
    });
    expect(created.status).toBe(201);
    const reviewer = (await staffMember(t.server, t, ['reviewer'])).client;
    expect(code((await reviewer.call('GET', '/api/operator/channels')).body)).toBe('forbidden');
    const { body } = await (await staffMember(t.server, t, ['auditor'])).client.call<{ actions: { staff: string; action: string; target: string }[] }>('GET', '/api/console/actions');
    expect(body.actions).toContainEqual(expect.objectContaining({ staff: 'qian.channels', action: 'channel.create', target: 'AG-STAFF-0001' }));
    const machineKey = (await readFile(path.join(t.dataDir, 'operator.token'), 'utf8')).trim();
    const listed = await t.api.get<{ channels: { agentNumber: string }[] }>('/api/operator/channels', machineKey);
    expect(listed.body.channels.map((c) => c.agentNumber)).toContain('AG-STAFF-0001');
  });
});

// Last: it moves the clock past every session's end.
describe('console sessions', () => {
  it('end a session left idle, and every session after its last hours', async () => {
    const { client } = await staffMember(t.server, t, ['support']);
    t.advance(14 * 60_000);
    expect((await client.call('GET', '/api/staff/session')).status).toBe(200);
    // Used 14 minutes in: the idle time starts again.
    t.advance(14 * 60_000);
    expect((await client.call('GET', '/api/staff/session')).status).toBe(200);
    t.advance(15 * 60_000 + 1000);
    const idle = await client.call('GET', '/api/staff/session');
    expect([idle.status, code(idle.body)]).toEqual([401, 'session_expired']);

    // A page refreshing its list by itself is not the person at work: it does not keep the session awake.
    const reviewer = (await staffMember(t.server, t, ['reviewer'])).client;
    t.advance(10 * 60_000);
    expect((await reviewer.call('GET', '/api/console/reviews', undefined, { headers: { [PASSIVE_HEADER]: '1' } })).status).toBe(200);
    t.advance(6 * 60_000);
    const left = await reviewer.call('GET', '/api/console/reviews', undefined, { headers: { [PASSIVE_HEADER]: '1' } });
    expect([left.status, code(left.body)]).toEqual([401, 'session_expired']);

    const busy = (await staffMember(t.server, t, ['support'])).client;
    for (let hour = 0; hour < 12; hour += 1) {
      for (let minute = 0; minute < 60; minute += 10) {
        t.advance(10 * 60_000);
        const seen = await busy.call('GET', '/api/staff/session');
        if (hour === 11 && minute === 50) expect(seen.status).toBe(401);
        else expect(seen.status, `${hour}h${minute}`).toBe(200);
      }
    }
  });
});
