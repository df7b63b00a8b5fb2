import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { Envelope, loadMasterKey, secretFile } from './crypto/envelope.js';
import { hashToken, newToken } from './crypto/tokens.js';
import { ChannelsDb } from './providers/db/channels.db.js';
import { ChannelService } from './services/channelService.js';
import { WebhookSender } from './services/webhookSender.js';
import { seedNumberPool, seedSimStock } from './domain/numberPool.js';
import { type VisionEngine, createVisionEngine } from './engine/visionEngine.js';
import type { AuthorityPort } from './providers/authority/authority.port.js';
import { createAuthority } from './providers/authority/index.js';
import { SqliteDb } from './providers/db/sqlite.db.js';
import { FulfilmentDb } from './providers/db/fulfilment.db.js';
import { MockLogistics } from './providers/logistics/mock.logistics.js';
import type { LogisticsPort } from './providers/logistics/logistics.port.js';
import { MockProvisioning } from './providers/provisioning/mock.provisioning.js';
import type { ProvisioningPort } from './providers/provisioning/provisioning.port.js';
import { SANDBOX_COURIERS } from './sandbox/couriers.js';
import { ActivationService } from './services/activationService.js';
import { FulfilmentService } from './services/fulfilmentService.js';
import { FsEvidenceStorage } from './providers/storage/fs.storage.js';
import { OrderService, holderKey } from './services/orderService.js';
import { SANDBOX_IDENTITIES } from './providers/authority/sandbox.js';
import { version } from './version.js';
import type { DeliveryView } from '@shared';

export interface RunningServer {
  url: string;
  port: number;
  orders: OrderService;
  fulfilment: FulfilmentService;
  db: SqliteDb;
  stop(): Promise<void>;
}

/** Parts a caller may supply instead of the configured ones (tests share one vision engine). */
export interface StartOverrides {
  engine?: VisionEngine;
  authority?: AuthorityPort;
  provisioning?: ProvisioningPort;
  logistics?: LogisticsPort;
  /** The clock, in ms since the epoch (tests move it forward to expire holds). */
  now?: () => number;
}

const SWEEP_INTERVAL_MS = 60_000;
/** How often due provisioning requests and webhook notices are looked for (retries after a failure). */
const JOBS_INTERVAL_MS = 500;

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
  const fulfilmentDb = new FulfilmentDb(db);
  if (fulfilmentDb.countSimCards() === 0) fulfilmentDb.seedSimCards(seedSimStock(config.simStock));
  const now = overrides.now ?? Date.now;
  // The carrier's and the provisioning system's stand-ins keep their state in files of their own.
  const mockProvisioning = overrides.provisioning ? undefined
    : new MockProvisioning(path.join(config.dataDir, 'sandbox-provisioning.db'), { latencyMs: config.provisioning.latencyMs, failureRate: config.provisioning.failureRate });
  const mockLogistics = overrides.logistics ? undefined : new MockLogistics(path.join(config.dataDir, 'sandbox-logistics.db'), {
    latencyMs: config.logistics.latencyMs,
    webhookSecret: config.logistics.webhookSecret ?? envelope.digest('carrier webhooks', 'logistics-webhook-secret'),
  });
  if (config.logistics.adapter === 'mock') {
    for (const courier of SANDBOX_COURIERS) {
      fulfilmentDb.ensureCourier({ id: courier.id, company: courier.company, name: courier.name, token_hash: hashToken(courier.token), created_at: now() });
    }
  }
  const channelsDb = new ChannelsDb(db);
  const channels = new ChannelService({
    channels: channelsDb,
    orders: db,
    envelope,
    now,
    settings: {
      operatorName: config.operator.name,
      publicUrl: config.operator.publicUrl,
      operatorToken: config.operator.token ?? await secretFile(path.join(config.dataDir, 'operator.token'), newToken),
    },
  });
  channels.seedDemo();
  const webhooks = new WebhookSender({ channels: channelsDb, service: channels, log, now });
  const engine = overrides.engine ?? createVisionEngine(config.vision);
  const storage = new FsEvidenceStorage(path.join(config.dataDir, 'evidence'), envelope);
  const orders: OrderService = new OrderService({
    db,
    storage,
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
    now,
    // Called only once the service below exists (after an approval, when an order is shown).
    afterApproval: (orderId) => void fulfilment.ship(orderId),
    deliveryOf: (row): DeliveryView | undefined => fulfilment.deliveryOf(row),
    channelFor: (agent) => channels.channelForNewOrder(agent),
  });
  const fulfilment: FulfilmentService = new FulfilmentService({
    db, fulfilment: fulfilmentDb, storage, envelope, engine, orders, log, now,
    logistics: overrides.logistics ?? mockLogistics as LogisticsPort,
    provisioning: overrides.provisioning ?? mockProvisioning as ProvisioningPort,
    settings: { faceMatchMaxDistance: config.faceMatchMaxDistance, faceReviewMargin: config.faceReviewMargin },
  });
  const activations = new ActivationService({
    db, fulfilment: fulfilmentDb, shipping: fulfilment, storage, envelope, engine, orders, now,
    settings: config.activation,
  });
  const resumed = orders.resumeVerifications();
  if (resumed > 0) log('info', `resumed ${resumed} verification(s) interrupted by the last stop`);

  const failed = (what: string) => (error: unknown): void => log('error', `${what} failed: ${error instanceof Error ? error.name : 'error'}`);
  const sweep = (): void => {
    orders.expireDrafts().catch(failed('sweep'));
    // Approved orders left unshipped and activations left half-way by the last stop are finished now.
    fulfilment.sweep().catch(failed('fulfilment sweep'));
  };
  sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();
  const jobs = setInterval(() => {
    void fulfilment.runDueJobs().catch(failed('provisioning'));
    void webhooks.runDue().catch(failed('webhooks'));
  }, JOBS_INTERVAL_MS);
  jobs.unref();

  const app = createApp({ config, version, log, orders, fulfilment, activations, channels });
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
    fulfilment,
    db,
    async stop() {
      clearInterval(sweeper);
      clearInterval(jobs);
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      if (!overrides.engine) await engine.close();
      mockProvisioning?.close();
      mockLogistics?.close();
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
