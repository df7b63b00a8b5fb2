import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { Envelope, loadMasterKey } from './crypto/envelope.js';
import { seedNumberPool } from './domain/numberPool.js';
import { type VisionEngine, createVisionEngine } from './engine/visionEngine.js';
import type { AuthorityPort } from './providers/authority/authority.port.js';
import { createAuthority } from './providers/authority/index.js';
import { SqliteDb } from './providers/db/sqlite.db.js';
import { FsEvidenceStorage } from './providers/storage/fs.storage.js';
import { OrderService, holderKey } from './services/orderService.js';
import { SANDBOX_IDENTITIES } from './providers/authority/sandbox.js';
import { version } from './version.js';

export interface RunningServer {
  url: string;
  port: number;
  orders: OrderService;
  db: SqliteDb;
  stop(): Promise<void>;
}

/** Parts a caller may supply instead of the configured ones (tests share one vision engine). */
export interface StartOverrides {
  engine?: VisionEngine;
  authority?: AuthorityPort;
  /** The clock, in ms since the epoch (tests move it forward to expire holds). */
  now?: () => number;
}

const SWEEP_INTERVAL_MS = 60_000;

/** Starts the BFF; `port: 0` picks a free port (tests). */
export async function start(config: Config = loadConfig(), overrides: StartOverrides = {}): Promise<RunningServer> {
  const log = (level: 'error' | 'info', message: string): void => {
    if (config.logLevel === 'silent' || (config.logLevel === 'error' && level === 'info')) return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  };
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const envelope = new Envelope(await loadMasterKey(config.masterKey, config.dataDir));
  const db = new SqliteDb(path.join(config.dataDir, 'orders.db'));
  if (db.countNumbers() === 0) db.seedNumbers(seedNumberPool(config.numbersPerPrefix));
  // The sandbox's identities that already hold cards, so QA can rehearse the five-card cap.
  if (config.authority.adapter === 'mock') {
    for (const who of SANDBOX_IDENTITIES) if (who.existingCards) db.setHolderCards(holderKey(envelope, who.idNumber), who.existingCards);
  }
  const engine = overrides.engine ?? createVisionEngine(config.vision);
  const orders = new OrderService({
    db,
    storage: new FsEvidenceStorage(path.join(config.dataDir, 'evidence'), envelope),
    envelope,
    engine,
    authority: overrides.authority ?? createAuthority(config.authority),
    settings: {
      holdMinutes: config.holdMinutes,
      faceMatchMaxDistance: config.faceMatchMaxDistance,
      faceReviewMargin: config.faceReviewMargin,
      authorityTimeoutMs: config.authority.timeoutMs,
      authorityPortrait: config.authority.portrait,
      livenessActions: config.liveness.actions,
      livenessSeconds: config.liveness.seconds,
      livenessAttempts: config.liveness.attempts,
    },
    log,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const resumed = orders.resumeVerifications();
  if (resumed > 0) log('info', `resumed ${resumed} verification(s) interrupted by the last stop`);

  const sweep = (): void => {
    orders.expireDrafts().catch((error: unknown) => log('error', `sweep failed: ${error instanceof Error ? error.name : 'error'}`));
  };
  sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();

  const app = createApp({ config, version, log, orders });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  log('info', `listening on http://${host}:${port} (data in ${config.dataDir})`);
  return {
    url: `http://${host}:${port}`,
    port,
    orders,
    db,
    async stop() {
      clearInterval(sweeper);
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      if (!overrides.engine) await engine.close();
      db.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const running = await start();
    const shutdown = (): void => {
      running.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
