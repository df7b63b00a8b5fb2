import path from 'node:path';
import { z } from 'zod';
import { LIVENESS_ACTIONS, type LivenessAction } from '@shared';

/** Everything the BFF reads from the environment, parsed once at start; a bad value stops the start. */
const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Where the built SPA is served from. */
  WEB_DIST: z.string().min(1).default('./dist/web'),
  LOG_LEVEL: z.enum(['silent', 'error', 'info']).default('info'),
  /**
   * Largest descriptor distance at which two faces count as the same person. The common 0.6 lets
   * different people through; see bff/src/engine/face/CALIBRATION.md (npm run calibrate).
   */
  FACE_MATCH_MAX_DISTANCE: z.coerce.number().gt(0).lt(2).default(0.48),
  /** Base64 of 32 bytes. Unset: a key is generated once into DATA_DIR/master.key. */
  MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes')
    .optional(),
  HOLD_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
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
  /** SIM cards put in stock on the first start. */
  SIM_STOCK: z.coerce.number().int().min(0).max(100_000).default(200),
  /** The provisioning system and the carrier: only the sandbox's stand-ins ship with the product. */
  PROVISIONING_ADAPTER: z.enum(['mock']).default('mock'),
  PROVISIONING_MOCK_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(300),
  /** Share of provisioning calls the stand-in fails (half before making the change, half after). */
  PROVISIONING_MOCK_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.1),
  LOGISTICS_ADAPTER: z.enum(['mock']).default('mock'),
  LOGISTICS_MOCK_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  /** The secret the carrier signs status webhooks with. Unset: derived from the master key. */
  LOGISTICS_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Failed activation attempts a card takes before it is locked, and for how long. */
  ACTIVATION_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  ACTIVATION_LOCK_MINUTES: z.coerce.number().int().min(1).max(30 * 24 * 60).default(24 * 60),
  /** The operator's name on every agent mark. */
  OPERATOR_NAME: z.string().min(1).default('沙盒移动 Sandbox Mobile'),
  /** Bearer token of the operator's API and console; unset: generated once into DATA_DIR/operator.token. */
  OPERATOR_TOKEN: z.string().min(24).optional(),
  /** The address buyers reach this service at (agent marks link to it); unset: http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** Minutes one activation attempt may take. */
  ACTIVATION_MINUTES: z.coerce.number().int().min(2).max(120).default(15),
}).superRefine((c, ctx) => {
  const need = (adapter: string, keys: (keyof typeof c)[]): void => {
    if (c.AUTHORITY_ADAPTER !== adapter) return;
    for (const key of keys) if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: `required when AUTHORITY_ADAPTER=${adapter}` });
  };
  need('tencent', ['TENCENT_SECRET_ID', 'TENCENT_SECRET_KEY']);
  need('alibaba', ['ALIBABA_ACCESS_KEY_ID', 'ALIBABA_ACCESS_KEY_SECRET', ...(c.AUTHORITY_PORTRAIT ? ['ALIBABA_SCENE_ID' as const] : [])]);
  need('http', ['AUTHORITY_HTTP_URL']);
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  webDist: string;
  logLevel: 'silent' | 'error' | 'info';
  faceMatchMaxDistance: number;
  faceReviewMargin: number;
  masterKey: string | undefined;
  holdMinutes: number;
  authority: AuthorityConfig;
  numbersPerPrefix: number;
  vision: { threads: number; maxQueue: number };
  liveness: { actions: LivenessAction[]; seconds: number; attempts: number };
  simStock: number;
  provisioning: { adapter: 'mock'; latencyMs: number; failureRate: number };
  logistics: { adapter: 'mock'; latencyMs: number; webhookSecret: string | undefined };
  activation: { attempts: number; lockMinutes: number; attemptMinutes: number };
  operator: { name: string; token: string | undefined; publicUrl: string | undefined };
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: path.resolve(c.DATA_DIR),
    webDist: path.resolve(c.WEB_DIST),
    logLevel: c.LOG_LEVEL,
    faceMatchMaxDistance: c.FACE_MATCH_MAX_DISTANCE,
    faceReviewMargin: c.FACE_REVIEW_MARGIN,
    masterKey: c.MASTER_KEY,
    holdMinutes: c.HOLD_MINUTES,
    authority: authorityConfig(c),
    numbersPerPrefix: c.NUMBERS_PER_PREFIX,
    vision: { threads: c.VISION_THREADS, maxQueue: c.VISION_MAX_QUEUE },
    liveness: { actions: c.LIVENESS_ACTIONS, seconds: c.LIVENESS_SECONDS, attempts: c.LIVENESS_ATTEMPTS },
    simStock: c.SIM_STOCK,
    provisioning: { adapter: c.PROVISIONING_ADAPTER, latencyMs: c.PROVISIONING_MOCK_LATENCY_MS, failureRate: c.PROVISIONING_MOCK_FAILURE_RATE },
    logistics: { adapter: c.LOGISTICS_ADAPTER, latencyMs: c.LOGISTICS_MOCK_LATENCY_MS, webhookSecret: c.LOGISTICS_WEBHOOK_SECRET },
    activation: { attempts: c.ACTIVATION_ATTEMPTS, lockMinutes: c.ACTIVATION_LOCK_MINUTES, attemptMinutes: c.ACTIVATION_MINUTES },
    operator: { name: c.OPERATOR_NAME, token: c.OPERATOR_TOKEN, publicUrl: c.PUBLIC_URL?.replace(/\/$/, '') },
  };
}
