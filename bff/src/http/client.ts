import { isIPv6 } from 'node:net';
import type { NextFunction, Request, RequestHandler } from 'express';
import { type WorkContext, runAs } from '../context.js';

const WORK = Symbol('work');
type WithWork = Request & { [WORK]?: WorkContext };

/**
 * The network a request comes from: its address (as `trust proxy` allows it to be read from
 * X-Forwarded-For), an IPv6 address by its /64, which one household or phone usually has whole.
 */
export function networkOf(address: string | undefined): string {
  const ip = (address ?? 'unknown').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const gap = tail === undefined ? 0 : Math.max(0, 8 - left.length - right.length);
  const groups: string[] = [...left, ...new Array<string>(gap).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Names each request's client by a keyed digest of its network (limits and the vision queue count
 * by it; no address is stored), and runs the rest of the request on its behalf. Once the request is
 * answered (or its client is gone), work still waiting for it is dropped (its signal aborts).
 */
export function identifyClients(digest: (network: string) => string): RequestHandler {
  return (req, res, next) => {
    const answered = new AbortController();
    res.once('close', () => answered.abort());
    const work: WorkContext = { client: digest(networkOf(req.ip)), signal: answered.signal };
    (req as WithWork)[WORK] = work;
    runAs(work, next);
  };
}

/** The client of a request (identifyClients ran before). */
export function clientOf(req: Request): string {
  return (req as WithWork)[WORK]?.client ?? networkOf(req.ip);
}

/**
 * Continues a request on behalf of its client again: a body parser calls back from the socket's
 * events, outside the context the request started in.
 */
export function continueAsClient(req: Request, next: NextFunction, error?: unknown): void {
  runAs((req as WithWork)[WORK] ?? { client: clientOf(req) }, () => next(error));
}
