import path from 'node:path';
import { z } from 'zod';

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
   * different people through (pairs as close as 0.49 were seen); calibrate on real pairs.
   */
  FACE_MATCH_MAX_DISTANCE: z.coerce.number().gt(0).lt(2).default(0.45),
  VISION_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  VISION_MAX_QUEUE: z.coerce.number().int().min(0).max(1000).default(16),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  webDist: string;
  logLevel: 'silent' | 'error' | 'info';
  faceMatchMaxDistance: number;
  vision: { threads: number; maxQueue: number };
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
    vision: { threads: c.VISION_THREADS, maxQueue: c.VISION_MAX_QUEUE },
  };
}
