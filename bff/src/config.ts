import path from 'node:path';
import { z } from 'zod';
import { LIVENESS_ACTIONS, type LivenessAction } from '@shared';
import type { MonitoringSettings } from './monitoring/monitoringService.js';

/** Everything the BFF reads from the environment, parsed once at start; a bad value stops the start. */

/** The name the sandbox goes by; production needs the operator's own. */
const SANDBOX_OPERATOR_NAME = '沙盒移动 Sandbox Mobile';

/** `<points>/<window>`: so many per client in a window of seconds (s), minutes (m), hours (h) or days (d). */
const rateLimit = (fallback: string) => z
  .string()
  .default(fallback)
  .transform((v, ctx) => {
    const match = /^(\d{1,7})\/(\d{1,5})([smhd])$/.exec(v.trim());
    if (!match) {
      ctx.addIssue({ code: 'custom', message: 'write it as <count>/<window>, e.g. 10/1h (s, m, h or d)' });
      return z.NEVER;
    }
    const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[match[3] as 's' | 'm' | 'h' | 'd'];
    return { points: Number(match[1]), seconds: Number(match[2]) * unit };
  });

/** Express's `trust proxy`: `false`, a hop count, or the proxies' addresses and subnets (comma-separated). */
const trustProxy = z
  .string()
  .default('false')
  .transform((v, ctx): false | number | string[] => {
    const value = v.trim();
    if (value === 'false' || value === '') return false;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    // `true` would trust any X-Forwarded-For a client makes up: name the proxies instead.
    if (value === 'true') {
      ctx.addIssue({ code: 'custom', message: 'name the proxies (addresses, subnets, loopback) or a hop count; true would let any client choose its own address' });
      return z.NEVER;
    }
    return value.split(',').map((part) => part.trim()).filter(Boolean);
  });

const configSchema = z.object({
  /**
   * `sandbox` (the default): stand-ins for every outside service, specimen cards, demo data.
   * `production`: refuses to start with any of those.
   */
  RUN_MODE: z.enum(['sandbox', 'production']).default('sandbox'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** The orders' database: unset, an SQLite file in DATA_DIR; `postgres://user:password@host:5432/db` for PostgreSQL. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// address').optional(),
  /** Where evidence is kept: unset, DATA_DIR/evidence; `s3://bucket/prefix/` for an S3-compatible store (sealed objects only). */
  STORAGE_URL: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 's3://<bucket>/<prefix>').optional(),
  /** The S3 store's address (MinIO, Ceph, Alibaba OSS, Tencent COS); unset, AWS for S3_REGION. */
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Bucket in the path, not the host name (most self-hosted stores); true by default when S3_ENDPOINT is set. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  /** Connections each process keeps to PostgreSQL. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * How long a process keeps a provisioning job or webhook notice it took before another process may
   * take it (the first stopped): longer than a request to the provisioning system may take.
   */
  OUTBOX_CLAIM_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** How often each process sweeps (drafts whose hold ended, work left half-way, what is kept only for a while). */
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Monitoring thresholds: more than so many in the window raises an alert (see bff/src/monitoring). */
  MONITOR_AGENT_ORDERS: rateLimit('30/1h'),
  MONITOR_CLIENT_IDENTITIES: rateLimit('3/1d'),
  MONITOR_LIVE_FAILURES: rateLimit('40/10m'),
  MONITOR_COURIER_REFUSALS: rateLimit('5/1d'),
  MONITOR_HELD_UNORDERED: rateLimit('10/1d'),
  MONITOR_SAME_FACE_DAYS: z.coerce.number().int().min(1).max(365).default(90),
  /** The face matcher's review bound (0.48 + 0.08): an alert is a look by a person. Error rates in docs/EVALUATION.md. */
  MONITOR_SAME_FACE_DISTANCE: z.coerce.number().gt(0).lt(2).default(0.56),
  MONITOR_HOLD_SHIPMENTS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  MONITOR_REFUSAL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  MONITOR_REFUSAL_MIN_DECIDED: z.coerce.number().int().min(1).max(100_000).default(20),
  MONITOR_REFUSAL_FACTOR: z.coerce.number().min(1).max(20).default(2),
  /** Suspend an agent an agent rule trips on at once, pending a look. */
  MONITOR_SUSPEND_AGENTS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** How often the patrol fetches the agents' pages and looks for the genuine mark (0: only when asked in the console). */
  PATROL_INTERVAL_HOURS: z.coerce.number().int().min(0).max(24 * 30).default(24),
  /** Where the built SPA is served from. */
  WEB_DIST: z.string().min(1).default('./dist/web'),
  LOG_LEVEL: z.enum(['silent', 'error', 'info']).default('info'),
  /**
   * Largest descriptor distance at which two faces count as the same person. The common 0.6 lets
   * different people through; see bff/src/engine/face/CALIBRATION.md (npm run calibrate).
   */
  FACE_MATCH_MAX_DISTANCE: z.coerce.number().gt(0).lt(2).default(0.48),
  /**
   * Where the keys come from: `file` (KEY_FILE, made on the first start in the sandbox), `env`
   * (KEYRING, or the single MASTER_KEY of older installations) or `kms` (KEY_FILE wrapped by a KMS).
   */
  KEY_SOURCE: z.enum(['file', 'env', 'kms']).optional(),
  /** The keyring file; default DATA_DIR/keys.json (sandbox only: production keeps keys apart from the data). */
  KEY_FILE: z.string().min(1).optional(),
  /** The keyring itself, base64 of its JSON (KEY_SOURCE=env). */
  KEYRING: z.string().min(1).optional(),
  /** Base64 of 32 bytes: the one key of installations made before keyrings (KEY_SOURCE=env). */
  MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes')
    .optional(),
  /** A KMS with Vault's transit interface: the keyring file is wrapped by its key. */
  KMS_URL: z.url().optional(),
  KMS_KEY_NAME: z.string().regex(/^[\w.-]{1,64}$/).optional(),
  KMS_TOKEN: z.string().min(1).optional(),
  /** How often a running server reads its keyring again (to learn a key being rotated in). */
  KEY_RELOAD_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  HOLD_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** A hold no order has taken yet ends this soon (the order gets HOLD_MINUTES from its creation). */
  HOLD_UNCLAIMED_MINUTES: z.coerce.number().int().min(1).max(60).default(5),
  /** Numbers one client may hold at once without an order on them. */
  HOLDS_PER_CLIENT: z.coerce.number().int().min(1).max(1000).default(3),
  /** Express's trust proxy: which proxies' X-Forwarded-For names the client. */
  TRUST_PROXY: trustProxy,
  /** Where the per-client counters live: `sqlite` (DATA_DIR/limits.db, shared by every process of the machine) or `memory`. */
  /** Where the counters live: unset, the orders' PostgreSQL (DATABASE_URL) or DATA_DIR/limits.db. */
  LIMIT_STORE: z.enum(['postgres', 'sqlite', 'memory']).optional(),
  LIMIT_REQUESTS: rateLimit('600/1m'),
  LIMIT_HOLDS: rateLimit('10/10m'),
  LIMIT_ORDERS: rateLimit('10/1h'),
  LIMIT_UPLOADS: rateLimit('60/1h'),
  LIMIT_LIVE_CHECKS: rateLimit('20/1h'),
  LIMIT_SUBMISSIONS: rateLimit('10/1d'),
  LIMIT_DEVICE_SUBMISSIONS: rateLimit('3/1d'),
  LIMIT_ACTIVATIONS: rateLimit('10/1h'),
  LIMIT_SIGN_IN_FAILURES: rateLimit('10/15m'),
  LIMIT_MARKS: rateLimit('120/1m'),
  LIMIT_HANDOFF_CLAIMS: rateLimit('20/10m'),
  /** Codes asked for and tried, proving a number before re-registering it online. */
  LIMIT_NUMBER_CODES: rateLimit('20/1h'),
  LIMIT_REPORTS: rateLimit('30/1h'),
  /** Upload bytes all requests together may hold in memory; beyond it an upload waits outside (503). */
  UPLOAD_MEMORY_MB: z.coerce.number().int().min(16).max(16_384).default(256),
  /** Uploads one client may have in flight at once (a buyer sends one photo at a time). */
  UPLOADS_PER_CLIENT: z.coerce.number().int().min(1).max(1000).default(2),
  FACE_REVIEW_MARGIN: z.coerce.number().min(0).max(1).default(0.08),
  AUTHORITY_ADAPTER: z.enum(['mock', 'tencent', 'alibaba', 'http']).default('mock'),
  TENCENT_SECRET_ID: z.string().min(1).optional(),
  TENCENT_SECRET_KEY: z.string().min(1).optional(),
  TENCENT_ENDPOINT: z.url().default('https://faceid.tencentcloudapi.com'),
  TENCENT_REGION: z.string().min(1).default('ap-guangzhou'),
  ALIBABA_ACCESS_KEY_ID: z.string().min(1).optional(),
  ALIBABA_ACCESS_KEY_SECRET: z.string().min(1).optional(),
  ALIBABA_ENDPOINT: z.url().default('https://cloudauth.aliyuncs.com'),
  /** The Cloudauth scene for ContrastFaceVerify (the three-element check). */
  ALIBABA_SCENE_ID: z.string().min(1).optional(),
  /**
   * Three-element check: send the live check's face with name and number, for the service to compare
   * with the portrait on record. Off: name and number only.
   */
  AUTHORITY_PORTRAIT: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  AUTHORITY_HTTP_URL: z.url().optional(),
  AUTHORITY_HTTP_TOKEN: z.string().min(1).optional(),
  AUTHORITY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  NUMBERS_PER_PREFIX: z.coerce.number().int().min(1).max(10_000).default(20),
  VISION_THREADS: z.coerce.number().int().min(1).max(16).default(2),
  VISION_MAX_QUEUE: z.coerce.number().int().min(0).max(1000).default(16),
  /** Vision tasks one client may have waiting or running at once: one client cannot take every slot. */
  VISION_MAX_PER_CLIENT: z.coerce.number().int().min(1).max(1000).default(4),
  /** Time one vision task may take before its thread is replaced. */
  VISION_TASK_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(30_000),
  /** JavaScript heap of one vision thread; beyond it the thread is replaced. */
  VISION_THREAD_MEMORY_MB: z.coerce.number().int().min(128).max(16_384).default(1024),
  /** Actions a live-check challenge may ask for, comma-separated; at least two. */
  LIVENESS_ACTIONS: z
    .string()
    .default(LIVENESS_ACTIONS.join(','))
    .transform((v) => [...new Set(v.split(',').map((a) => a.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(LIVENESS_ACTIONS)).min(2)),
  /** Seconds a buyer has to answer a challenge. */
  LIVENESS_SECONDS: z.coerce.number().int().min(15).max(600).default(90),
  /** Challenges one order may ask for. */
  LIVENESS_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /**
   * Draws every challenge's screen colours from this seed instead of at random, so that a recorded
   * camera video can show them (browser tests). Never in production: the colours must be unknown.
   */
  LIVENESS_COLOUR_SEED: z.string().min(1).optional(),
  /** SIM cards put in stock on the first start. */
  SIM_STOCK: z.coerce.number().int().min(0).max(100_000).default(200),
  /** The provisioning system and the carrier: only the sandbox's stand-ins ship with the product. */
  PROVISIONING_ADAPTER: z.enum(['mock', 'http']).default('mock'),
  PROVISIONING_HTTP_URL: z.url().optional(),
  PROVISIONING_HTTP_TOKEN: z.string().min(1).optional(),
  PROVISIONING_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  PROVISIONING_MOCK_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(300),
  /** Share of provisioning calls the stand-in fails (half before making the change, half after). */
  PROVISIONING_MOCK_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.1),
  /** Text messages to buyers: the sandbox's SMS centre (an inbox at /sandbox/sms), the operator's SMS gateway, or none. */
  NOTIFIER: z.enum(['sandbox', 'http', 'off']).default('sandbox'),
  SMS_HTTP_URL: z.url().optional(),
  SMS_HTTP_TOKEN: z.string().min(1).optional(),
  SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** The signature (【…】) registered with the SMS service; default: the operator's name. */
  SMS_SIGNATURE: z.string().min(2).max(20).optional(),
  SMS_MOCK_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(200),
  /** Share of sends the sandbox's SMS centre fails for a while (sent again later). */
  SMS_MOCK_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.05),
  /** The billing system (prepaid balances refunded when a number's service is stopped): the sandbox's stand-in or the operator's gateway. */
  BILLING_ADAPTER: z.enum(['mock', 'http']).default('mock'),
  BILLING_HTTP_URL: z.url().optional(),
  BILLING_HTTP_TOKEN: z.string().min(1).optional(),
  BILLING_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  BILLING_MOCK_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  LOGISTICS_ADAPTER: z.enum(['mock', 'http']).default('mock'),
  LOGISTICS_HTTP_URL: z.url().optional(),
  LOGISTICS_HTTP_TOKEN: z.string().min(1).optional(),
  LOGISTICS_MOCK_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  /** The secret the carrier signs status webhooks with. Unset (sandbox only): derived from the keys. */
  LOGISTICS_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Failed activation attempts a card takes before it is locked, and for how long. */
  ACTIVATION_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  ACTIVATION_LOCK_MINUTES: z.coerce.number().int().min(1).max(30 * 24 * 60).default(24 * 60),
  /** The operator's name on every agent mark. */
  OPERATOR_NAME: z.string().min(1).default(SANDBOX_OPERATOR_NAME),
  /** The operator's logo (a PNG or SVG file) for agent marks; the sandbox has its own. */
  OPERATOR_LOGO: z.string().min(1).optional(),
  /** Bearer token of the operator's API and console; unset: generated once into DATA_DIR/operator.token. */
  OPERATOR_TOKEN: z.string().min(24).optional(),
  /** The address buyers reach this service at (agent marks link to it); unset: http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** Minutes one activation attempt may take. */
  ACTIVATION_MINUTES: z.coerce.number().int().min(2).max(120).default(15),
  /** Free space DATA_DIR needs for the readiness check to pass. */
  READY_MIN_FREE_MB: z.coerce.number().int().min(0).max(10_000_000).default(512),
  /** Days the keyed digests of live-check frames are kept to recognise a replay. */
  FRAME_DIGEST_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Days a delivered webhook notice stays in the delivery log. */
  WEBHOOK_LOG_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** A console session nobody used for this long ends; every session ends this long after sign-in. */
  STAFF_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  STAFF_SESSION_HOURS: z.coerce.number().int().min(1).max(24).default(12),
  /** Failed sign-ins a staff account takes before it is locked, and the first lock (doubled for each one more). */
  STAFF_LOCK_AFTER: z.coerce.number().int().min(1).max(100).default(5),
  STAFF_LOCK_MINUTES: z.coerce.number().int().min(1).max(60).default(1),
  /** An order in review nobody decides within this long is closed (review_expired) and its number released. */
  REVIEW_DEADLINE_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(48),
  /** How often an order held only by an ID-service outage is checked again before a person looks. */
  REVIEW_RECHECK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(10),
  /** Photos, identity and templates of an order closed without a card in service (rejected, returned, expired, withdrawn) are deleted this long after it closed. */
  RETENTION_CLOSED_DAYS: z.coerce.number().min(0).max(365).default(30),
  RETENTION_CASE_DAYS: z.coerce.number().min(0).max(3650).default(730),
  /** The card photo, what was read and the live frames of a failed activation attempt are deleted this long after it. */
  RETENTION_FAILED_ATTEMPT_DAYS: z.coerce.number().min(0).max(365).default(30),
  /** Face templates and card numbers of an activated order (used to decide, not part of the record) are deleted this long after activation. */
  RETENTION_TEMPLATE_DAYS: z.coerce.number().min(0).max(365).default(7),
  /** A registration record and its photos are kept this long after the number's service ended. */
  RETENTION_REGISTRATION_DAYS: z.coerce.number().min(1).max(3650).default(730),
}).superRefine((c, ctx) => {
  const need = (adapter: string, keys: (keyof typeof c)[]): void => {
    if (c.AUTHORITY_ADAPTER !== adapter) return;
    for (const key of keys) if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: `required when AUTHORITY_ADAPTER=${adapter}` });
  };
  need('tencent', ['TENCENT_SECRET_ID', 'TENCENT_SECRET_KEY']);
  need('alibaba', ['ALIBABA_ACCESS_KEY_ID', 'ALIBABA_ACCESS_KEY_SECRET', ...(c.AUTHORITY_PORTRAIT ? ['ALIBABA_SCENE_ID' as const] : [])]);
  need('http', ['AUTHORITY_HTTP_URL']);
  const require = (when: boolean, key: keyof typeof c, why: string): void => {
    if (when && !c[key]) ctx.addIssue({ code: 'custom', path: [key], message: `required ${why}` });
  };
  require(c.PROVISIONING_ADAPTER === 'http', 'PROVISIONING_HTTP_URL', 'when PROVISIONING_ADAPTER=http');
  require(c.LOGISTICS_ADAPTER === 'http', 'LOGISTICS_HTTP_URL', 'when LOGISTICS_ADAPTER=http');
  require(c.BILLING_ADAPTER === 'http', 'BILLING_HTTP_URL', 'when BILLING_ADAPTER=http');
  require(c.NOTIFIER === 'http', 'SMS_HTTP_URL', 'when NOTIFIER=http');
  require(c.LOGISTICS_ADAPTER === 'http', 'LOGISTICS_WEBHOOK_SECRET', 'when LOGISTICS_ADAPTER=http (the carrier signs its events with it)');
  require(c.KEY_SOURCE === 'kms', 'KMS_URL', 'when KEY_SOURCE=kms');
  require(c.KEY_SOURCE === 'kms', 'KMS_KEY_NAME', 'when KEY_SOURCE=kms');
  require(c.KEY_SOURCE === 'kms', 'KMS_TOKEN', 'when KEY_SOURCE=kms');
  if (c.KEY_SOURCE === 'env' && !c.KEYRING && !c.MASTER_KEY) ctx.addIssue({ code: 'custom', path: ['KEYRING'], message: 'KEY_SOURCE=env needs KEYRING (or MASTER_KEY)' });
  const longestCall = c.PROVISIONING_ADAPTER === 'http' ? c.PROVISIONING_TIMEOUT_MS : c.PROVISIONING_MOCK_LATENCY_MS * 2;
  if (c.OUTBOX_CLAIM_SECONDS * 1000 <= longestCall) {
    ctx.addIssue({ code: 'custom', path: ['OUTBOX_CLAIM_SECONDS'], message: `must be longer than a provisioning request may take (${longestCall} ms): another process would send a job still being sent` });
  }
  if (c.LIMIT_STORE === 'postgres' && !c.DATABASE_URL) ctx.addIssue({ code: 'custom', path: ['LIMIT_STORE'], message: 'postgres needs DATABASE_URL (the counters live in the orders\' database)' });
  if (c.RUN_MODE === 'production') productionRefusals(c, ctx);
});

/**
 * What production refuses: any sandbox stand-in, an address that is not https, and keys kept in the
 * data folder (its backup would carry its own key). Each refusal says what to set instead.
 */
function productionRefusals(c: { AUTHORITY_ADAPTER: string; PROVISIONING_ADAPTER: string; BILLING_ADAPTER: string; LOGISTICS_ADAPTER: string; NOTIFIER: string; PUBLIC_URL?: string | undefined; OPERATOR_NAME: string; OPERATOR_LOGO?: string | undefined; LIVENESS_COLOUR_SEED?: string | undefined }, ctx: z.RefinementCtx): void {
  const refuse = (key: string, message: string): void => ctx.addIssue({ code: 'custom', path: [key], message: `production refuses ${message}` });
  if (c.AUTHORITY_ADAPTER === 'mock') refuse('AUTHORITY_ADAPTER', 'the mock national ID service (sandbox identities): choose tencent, alibaba or http');
  if (c.PROVISIONING_ADAPTER === 'mock') refuse('PROVISIONING_ADAPTER', 'the sandbox provisioning stand-in: set PROVISIONING_ADAPTER=http and PROVISIONING_HTTP_URL');
  if (c.BILLING_ADAPTER === 'mock') refuse('BILLING_ADAPTER', 'the sandbox billing stand-in: set BILLING_ADAPTER=http and BILLING_HTTP_URL');
  if (c.NOTIFIER === 'sandbox') refuse('NOTIFIER', 'the sandbox SMS centre: set NOTIFIER=http and SMS_HTTP_URL (the operator\'s SMS gateway), or NOTIFIER=off');
  if (c.LOGISTICS_ADAPTER === 'mock') refuse('LOGISTICS_ADAPTER', 'the sandbox carrier: set LOGISTICS_ADAPTER=http, LOGISTICS_HTTP_URL and LOGISTICS_WEBHOOK_SECRET');
  if (!c.PUBLIC_URL) refuse('PUBLIC_URL', 'to start without PUBLIC_URL, the https address buyers reach (links and marks are built from it, never from a request)');
  else if (!c.PUBLIC_URL.startsWith('https://')) refuse('PUBLIC_URL', 'an address that is not https');
  if (c.OPERATOR_NAME === SANDBOX_OPERATOR_NAME) refuse('OPERATOR_NAME', "the sandbox's operator name (shown to buyers and on every agent mark): set OPERATOR_NAME to the operator's name");
  if (!c.OPERATOR_LOGO) refuse('OPERATOR_LOGO', "the sandbox's logo on agent marks: set OPERATOR_LOGO to the operator's logo (a PNG or SVG file)");
  if (c.LIVENESS_COLOUR_SEED) refuse('LIVENESS_COLOUR_SEED', 'a fixed colour sequence for the live check (a recording could show it): unset LIVENESS_COLOUR_SEED');
}

export type Mode = 'sandbox' | 'production';

/** An S3-compatible bucket for the evidence. */
export interface S3StorageSettings {
  bucket: string;
  prefix: string;
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

function storageConfig(c: z.infer<typeof configSchema>): Config['storage'] {
  if (!c.STORAGE_URL) return { kind: 'fs' };
  const url = new URL(c.STORAGE_URL);
  const prefix = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    kind: 's3',
    bucket: url.hostname,
    prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix,
    endpoint: c.S3_ENDPOINT,
    region: c.S3_REGION,
    accessKeyId: c.S3_ACCESS_KEY_ID,
    secretAccessKey: c.S3_SECRET_ACCESS_KEY,
    forcePathStyle: c.S3_FORCE_PATH_STYLE ? c.S3_FORCE_PATH_STYLE === 'true' : c.S3_ENDPOINT !== undefined,
  };
}

/** Where the orders' data lives: an SQLite file (the embedded default) or a PostgreSQL server. */
export type DatabaseTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string; poolSize?: number };

/** So many per client in a window. */
export interface RateLimit {
  points: number;
  seconds: number;
}

export interface LimitsConfig {
  trustProxy: false | number | string[];
  store: 'postgres' | 'sqlite' | 'memory';
  /** Every API request. */
  requests: RateLimit;
  holds: RateLimit;
  orders: RateLimit;
  /** Photos: the buyer's, the activation card, the courier's. */
  uploads: RateLimit;
  /** Live-check challenges and their frames. */
  liveChecks: RateLimit;
  submissions: RateLimit;
  deviceSubmissions: RateLimit;
  /** Activation attempts started. */
  activations: RateLimit;
  /** Wrong courier access codes, operator tokens and channel keys. */
  signInFailures: RateLimit;
  marks: RateLimit;
  handoffClaims: RateLimit;
  numberCodes: RateLimit;
  /** Reports filed, identity checks for one, and look-ups of a report by its reference. */
  reports: RateLimit;
  holdsPerClient: number;
  holdUnclaimedMinutes: number;
  uploadMemoryBytes: number;
  uploadsPerClient: number;
}

export type KeysConfig =
  | { source: 'file'; file: string }
  | { source: 'env'; keyring: string | undefined; masterKey: string | undefined }
  | { source: 'kms'; file: string; url: string; keyName: string; token: string };

export interface Config {
  mode: Mode;
  port: number;
  host: string;
  dataDir: string;
  /** The orders' database. */
  database: DatabaseTarget;
  /** The evidence store. */
  storage: { kind: 'fs' } | ({ kind: 's3' } & S3StorageSettings);
  outboxClaimSeconds: number;
  sweepIntervalSeconds: number;
  patrolIntervalHours: number;
  monitoring: MonitoringSettings;
  webDist: string;
  logLevel: 'silent' | 'error' | 'info';
  faceMatchMaxDistance: number;
  faceReviewMargin: number;
  keys: KeysConfig & { reloadSeconds: number };
  holdMinutes: number;
  authority: AuthorityConfig;
  numbersPerPrefix: number;
  vision: { threads: number; maxQueue: number; maxPerClient: number; taskTimeoutMs: number; threadMemoryMb: number };
  liveness: { actions: LivenessAction[]; seconds: number; attempts: number; colourSeed?: string };
  simStock: number;
  provisioning: { adapter: 'mock'; latencyMs: number; failureRate: number } | { adapter: 'http'; url: string; token: string | undefined; timeoutMs: number };
  billing: { adapter: 'mock'; latencyMs: number } | { adapter: 'http'; url: string; token: string | undefined; timeoutMs: number };
  logistics: { adapter: 'mock'; latencyMs: number; webhookSecret: string | undefined } | { adapter: 'http'; url: string; token: string | undefined; webhookSecret: string };
  notifier:
    | { adapter: 'sandbox'; latencyMs: number; failureRate: number; signature: string }
    | { adapter: 'http'; url: string; token: string | undefined; timeoutMs: number; signature: string }
    | { adapter: 'off' };
  activation: { attempts: number; lockMinutes: number; attemptMinutes: number };
  operator: { name: string; token: string | undefined; publicUrl: string | undefined; logo: string | undefined };
  limits: LimitsConfig;
  ready: { minFreeBytes: number };
  retention: { frameDigestDays: number; webhookLogDays: number; closedDays: number; caseDays: number; failedAttemptDays: number; templateDays: number; registrationDays: number };
  staff: { idleMinutes: number; sessionHours: number; lockAfter: number; lockMinutes: number };
  review: { deadlineHours: number; recheckMinutes: number };
}

export type AuthorityConfig = { timeoutMs: number; portrait: boolean } & (
  | { adapter: 'mock' }
  | { adapter: 'tencent'; secretId: string; secretKey: string; endpoint: string; region: string }
  | { adapter: 'alibaba'; accessKeyId: string; accessKeySecret: string; endpoint: string; sceneId?: string }
  | { adapter: 'http'; url: string; token?: string }
);

function authorityConfig(c: z.infer<typeof configSchema>): AuthorityConfig {
  const timeoutMs = c.AUTHORITY_TIMEOUT_MS;
  const portrait = c.AUTHORITY_PORTRAIT;
  switch (c.AUTHORITY_ADAPTER) {
    case 'mock':
      return { adapter: 'mock', timeoutMs, portrait };
    case 'tencent':
      return { adapter: 'tencent', timeoutMs, portrait, secretId: c.TENCENT_SECRET_ID ?? '', secretKey: c.TENCENT_SECRET_KEY ?? '', endpoint: c.TENCENT_ENDPOINT, region: c.TENCENT_REGION };
    case 'alibaba':
      return {
        adapter: 'alibaba', timeoutMs, portrait, accessKeyId: c.ALIBABA_ACCESS_KEY_ID ?? '', accessKeySecret: c.ALIBABA_ACCESS_KEY_SECRET ?? '', endpoint: c.ALIBABA_ENDPOINT,
        ...(c.ALIBABA_SCENE_ID ? { sceneId: c.ALIBABA_SCENE_ID } : {}),
      };
    case 'http':
      return { adapter: 'http', timeoutMs, portrait, url: c.AUTHORITY_HTTP_URL ?? '', ...(c.AUTHORITY_HTTP_TOKEN ? { token: c.AUTHORITY_HTTP_TOKEN } : {}) };
  }
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Whether `inner` is `outer` or lies inside it. */
export function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function keysConfig(c: z.infer<typeof configSchema>, dataDir: string): KeysConfig {
  const source = c.KEY_SOURCE ?? (c.KEYRING || c.MASTER_KEY ? 'env' : 'file');
  const file = path.resolve(c.KEY_FILE ?? path.join(dataDir, 'keys.json'));
  switch (source) {
    case 'file':
      return { source, file };
    case 'env':
      return { source, keyring: c.KEYRING, masterKey: c.MASTER_KEY };
    case 'kms':
      return { source, file, url: c.KMS_URL ?? '', keyName: c.KMS_KEY_NAME ?? '', token: c.KMS_TOKEN ?? '' };
  }
}

/** Problems of the folders, which only resolved paths show. */
function pathProblems(mode: Mode, dataDir: string, webDist: string, keys: KeysConfig): string[] {
  const problems: string[] = [];
  // Served as static files: an overlap would publish the evidence and the keys, or sealed files as pages.
  if (isInside(webDist, dataDir) || isInside(dataDir, webDist)) problems.push('WEB_DIST: must not overlap DATA_DIR (the data would be served as web files)');
  if (mode === 'production' && keys.source === 'file' && isInside(keys.file, dataDir)) {
    problems.push('KEY_FILE: production refuses keys inside DATA_DIR (a copy of the data would carry its key): put the keyring elsewhere, or use KEY_SOURCE=env or kms');
  }
  return problems;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.DATA_DIR);
  const webDist = path.resolve(c.WEB_DIST);
  const keys = keysConfig(c, dataDir);
  const problems = pathProblems(c.RUN_MODE, dataDir, webDist, keys);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    mode: c.RUN_MODE,
    port: c.PORT,
    host: c.HOST,
    dataDir,
    database: c.DATABASE_URL ? { engine: 'postgres', url: c.DATABASE_URL, poolSize: c.DATABASE_POOL_SIZE } : { engine: 'sqlite', file: path.join(dataDir, 'orders.db') },
    outboxClaimSeconds: c.OUTBOX_CLAIM_SECONDS,
    sweepIntervalSeconds: c.SWEEP_INTERVAL_SECONDS,
    patrolIntervalHours: c.PATROL_INTERVAL_HOURS,
    monitoring: {
      agentOrders: c.MONITOR_AGENT_ORDERS,
      clientIdentities: c.MONITOR_CLIENT_IDENTITIES,
      liveFailures: c.MONITOR_LIVE_FAILURES,
      courierRefusals: c.MONITOR_COURIER_REFUSALS,
      agentRefusals: { days: c.MONITOR_REFUSAL_DAYS, minDecided: c.MONITOR_REFUSAL_MIN_DECIDED, factor: c.MONITOR_REFUSAL_FACTOR },
      suspendAgents: c.MONITOR_SUSPEND_AGENTS,
      heldUnordered: c.MONITOR_HELD_UNORDERED,
      sameFace: { days: c.MONITOR_SAME_FACE_DAYS, maxDistance: c.MONITOR_SAME_FACE_DISTANCE },
      holdShipments: c.MONITOR_HOLD_SHIPMENTS,
    },
    storage: storageConfig(c),
    webDist,
    logLevel: c.LOG_LEVEL,
    faceMatchMaxDistance: c.FACE_MATCH_MAX_DISTANCE,
    faceReviewMargin: c.FACE_REVIEW_MARGIN,
    keys: { ...keys, reloadSeconds: c.KEY_RELOAD_SECONDS },
    holdMinutes: c.HOLD_MINUTES,
    authority: authorityConfig(c),
    numbersPerPrefix: c.NUMBERS_PER_PREFIX,
    vision: {
      threads: c.VISION_THREADS, maxQueue: c.VISION_MAX_QUEUE, maxPerClient: c.VISION_MAX_PER_CLIENT,
      taskTimeoutMs: c.VISION_TASK_TIMEOUT_MS, threadMemoryMb: c.VISION_THREAD_MEMORY_MB,
    },
    liveness: { actions: c.LIVENESS_ACTIONS, seconds: c.LIVENESS_SECONDS, attempts: c.LIVENESS_ATTEMPTS, ...(c.LIVENESS_COLOUR_SEED ? { colourSeed: c.LIVENESS_COLOUR_SEED } : {}) },
    simStock: c.SIM_STOCK,
    provisioning: c.PROVISIONING_ADAPTER === 'http'
      ? { adapter: 'http', url: c.PROVISIONING_HTTP_URL ?? '', token: c.PROVISIONING_HTTP_TOKEN, timeoutMs: c.PROVISIONING_TIMEOUT_MS }
      : { adapter: 'mock', latencyMs: c.PROVISIONING_MOCK_LATENCY_MS, failureRate: c.PROVISIONING_MOCK_FAILURE_RATE },
    billing: c.BILLING_ADAPTER === 'http'
      ? { adapter: 'http', url: c.BILLING_HTTP_URL ?? '', token: c.BILLING_HTTP_TOKEN, timeoutMs: c.BILLING_TIMEOUT_MS }
      : { adapter: 'mock', latencyMs: c.BILLING_MOCK_LATENCY_MS },
    logistics: c.LOGISTICS_ADAPTER === 'http'
      ? { adapter: 'http', url: c.LOGISTICS_HTTP_URL ?? '', token: c.LOGISTICS_HTTP_TOKEN, webhookSecret: c.LOGISTICS_WEBHOOK_SECRET ?? '' }
      : { adapter: 'mock', latencyMs: c.LOGISTICS_MOCK_LATENCY_MS, webhookSecret: c.LOGISTICS_WEBHOOK_SECRET },
    notifier: c.NOTIFIER === 'http'
      ? { adapter: 'http', url: c.SMS_HTTP_URL ?? '', token: c.SMS_HTTP_TOKEN, timeoutMs: c.SMS_TIMEOUT_MS, signature: c.SMS_SIGNATURE ?? c.OPERATOR_NAME }
      : c.NOTIFIER === 'sandbox'
        ? { adapter: 'sandbox', latencyMs: c.SMS_MOCK_LATENCY_MS, failureRate: c.SMS_MOCK_FAILURE_RATE, signature: c.SMS_SIGNATURE ?? c.OPERATOR_NAME }
        : { adapter: 'off' },
    activation: { attempts: c.ACTIVATION_ATTEMPTS, lockMinutes: c.ACTIVATION_LOCK_MINUTES, attemptMinutes: c.ACTIVATION_MINUTES },
    operator: { name: c.OPERATOR_NAME, token: c.OPERATOR_TOKEN, publicUrl: c.PUBLIC_URL?.replace(/\/$/, ''), logo: c.OPERATOR_LOGO },
    limits: {
      trustProxy: c.TRUST_PROXY,
      store: c.LIMIT_STORE ?? (c.DATABASE_URL ? 'postgres' : 'sqlite'),
      requests: c.LIMIT_REQUESTS,
      holds: c.LIMIT_HOLDS,
      orders: c.LIMIT_ORDERS,
      uploads: c.LIMIT_UPLOADS,
      liveChecks: c.LIMIT_LIVE_CHECKS,
      submissions: c.LIMIT_SUBMISSIONS,
      deviceSubmissions: c.LIMIT_DEVICE_SUBMISSIONS,
      activations: c.LIMIT_ACTIVATIONS,
      signInFailures: c.LIMIT_SIGN_IN_FAILURES,
      marks: c.LIMIT_MARKS,
      handoffClaims: c.LIMIT_HANDOFF_CLAIMS,
      numberCodes: c.LIMIT_NUMBER_CODES,
      reports: c.LIMIT_REPORTS,
      holdsPerClient: c.HOLDS_PER_CLIENT,
      holdUnclaimedMinutes: c.HOLD_UNCLAIMED_MINUTES,
      uploadMemoryBytes: c.UPLOAD_MEMORY_MB * 2 ** 20,
      uploadsPerClient: c.UPLOADS_PER_CLIENT,
    },
    ready: { minFreeBytes: c.READY_MIN_FREE_MB * 2 ** 20 },
    retention: {
      frameDigestDays: c.FRAME_DIGEST_DAYS, webhookLogDays: c.WEBHOOK_LOG_DAYS, closedDays: c.RETENTION_CLOSED_DAYS, caseDays: c.RETENTION_CASE_DAYS,
      failedAttemptDays: c.RETENTION_FAILED_ATTEMPT_DAYS, templateDays: c.RETENTION_TEMPLATE_DAYS, registrationDays: c.RETENTION_REGISTRATION_DAYS,
    },
    staff: { idleMinutes: c.STAFF_IDLE_MINUTES, sessionHours: c.STAFF_SESSION_HOURS, lockAfter: c.STAFF_LOCK_AFTER, lockMinutes: c.STAFF_LOCK_MINUTES },
    review: { deadlineHours: c.REVIEW_DEADLINE_HOURS, recheckMinutes: c.REVIEW_RECHECK_MINUTES },
  };
}
