import { TOTP } from 'otpauth';
import type { Enrolment, StaffRole, StaffSession } from '@shared';

/** A console user over HTTP, as the console's pages call the API: the session cookie, and its CSRF token on changes. */
export class StaffClient {
  cookie = '';
  csrf = '';

  constructor(readonly baseUrl: string, readonly username: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, { csrf = true, headers = {} }: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(csrf && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const setCookie = res.headers.getSetCookie().find((c) => /^(__Host-)?sim_staff=/.test(c));
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : undefined) as T;
    if ((parsed as Partial<StaffSession> | undefined)?.csrfToken) this.csrf = (parsed as StaffSession).csrfToken;
    return { status: res.status, body: parsed, headers: res.headers };
  }
}

/** The code an authenticator app shows for `secret` at `timestamp`. */
export const totpCode = (secret: string, timestamp: number): string => new TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp });

export interface Clock {
  now(): number;
  advance(ms: number): void;
}

let enrolled = 0;

/**
 * Enrols an account made with `oneTimePassword` through the API, as its person would on first
 * sign-in: returns the signed-in client, the authenticator's secret and the password chosen.
 */
export async function enrol(baseUrl: string, username: string, oneTimePassword: string, clock: Clock): Promise<{ client: StaffClient; secret: string; password: string; code: string }> {
  const client = new StaffClient(baseUrl, username);
  const started = await client.call<Enrolment>('POST', '/api/staff/enrolment', { username, password: oneTimePassword });
  if (started.status !== 201) throw new Error(`enrolment refused: ${JSON.stringify(started.body)}`);
  const password = `correct-horse-battery-${(enrolled += 1)}`;
  const code = totpCode(started.body.secret, clock.now());
  const finished = await client.call('POST', '/api/staff/enrolment/finish', { ticket: started.body.ticket, newPassword: password, code });
  if (finished.status !== 201) throw new Error(`enrolment not finished: ${JSON.stringify(finished.body)}`);
  return { client, secret: started.body.secret, password, code };
}

let count = 0;

/** A signed-in member of staff with `roles`, made through the server's staff service. */
export async function staffMember(
  server: { url: string; staff: { add(r: { username: string; name: string; roles: StaffRole[] }, actor: string): Promise<{ oneTimePassword: string }> } },
  clock: Clock, roles: StaffRole[], username = `${roles[0]?.replace('_', '-') ?? 'staff'}.${(count += 1)}`,
): Promise<{ client: StaffClient; secret: string; password: string; code: string }> {
  const { oneTimePassword } = await server.staff.add({ username, name: `Test ${username}`, roles }, 'test');
  return enrol(server.url, username, oneTimePassword, clock);
}

/** Page-like: what the browser helpers below use of a Playwright page. */
interface ConsolePage {
  getByTestId(id: string): { fill(value: string): Promise<void>; click(): Promise<void>; waitFor(options?: { timeout?: number }): Promise<void>; textContent(): Promise<string | null> };
  getByRole(role: 'button', options: { name: string }): { click(): Promise<void> };
}

/**
 * A first sign-in in the console, as the person does it: the one-time password, the authenticator's
 * key read off the page, a password of their own and the first code. The page must show the sign-in.
 */
export async function enrolInBrowser(page: ConsolePage, username: string, oneTimePassword: string, clock: Clock, onKey?: () => Promise<unknown>): Promise<{ secret: string; password: string }> {
  await page.getByRole('button', { name: '首次登录（使用一次性密码）' }).click();
  await page.getByTestId('username').fill(username);
  await page.getByTestId('one-time-password').fill(oneTimePassword);
  await page.getByTestId('start-enrolment').click();
  await page.getByTestId('totp-secret').waitFor();
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  await onKey?.();
  const password = `correct-horse-battery-${(enrolled += 1)}`;
  await page.getByTestId('new-password').fill(password);
  await page.getByTestId('repeat-password').fill(password);
  await page.getByTestId('code').fill(totpCode(secret, clock.now()));
  await page.getByTestId('finish-enrolment').click();
  await page.getByTestId('signed-in-as').waitFor();
  return { secret, password };
}
