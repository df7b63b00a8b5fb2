import { chmod, mkdir, statfs } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Readiness, isPurchase } from '@shared';
import { createApp } from './app.js';
import { type Background, backgroundRunner, failureName } from './background.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { Envelope, secretFile } from './crypto/envelope.js';
import { Keyring } from './crypto/keyring.js';
import { openOrdersDb } from './services/keyRotation.js';
import { hashToken, newToken } from './crypto/tokens.js';
import { ChannelsDb } from './providers/db/channels.db.js';
import { ChannelService } from './services/channelService.js';
import { loadOperatorLogo } from './services/operatorLogo.js';
import { WebhookSender } from './services/webhookSender.js';
import { randomNumberPool, randomSimStock } from './domain/numberPool.js';
import { type VisionEngine, createVisionEngine } from './engine/visionEngine.js';
import type { AuthorityPort } from './providers/authority/authority.port.js';
import { createAuthority } from './providers/authority/index.js';
import { type OrdersDb } from './providers/db/orders.db.js';
import { FulfilmentDb } from './providers/db/fulfilment.db.js';
import { openSqliteFile } from './providers/db/database.js';
import { createKeySource } from './providers/keys/index.js';
import type { KeySource } from './providers/keys/keys.port.js';
import { HttpLogistics } from './providers/logistics/http.logistics.js';
import { MockLogistics } from './providers/logistics/mock.logistics.js';
import type { LogisticsPort } from './providers/logistics/logistics.port.js';
import { HttpProvisioning } from './providers/provisioning/http.provisioning.js';
import { MockProvisioning } from './providers/provisioning/mock.provisioning.js';
import type { ProvisioningPort } from './providers/provisioning/provisioning.port.js';
import { SANDBOX_COURIERS } from './sandbox/couriers.js';
import { ActivationService, packCodeDigest } from './services/activationService.js';
import { FulfilmentService } from './services/fulfilmentService.js';
import { createStorage } from './providers/storage/index.js';
import { OrderService, holderKey } from './services/orderService.js';
import { SANDBOX_IDENTITIES } from './providers/authority/sandbox.js';
import { type LimitStore, Limits } from './http/limits.js';
import pg from 'pg';
import { UploadBudget } from './http/uploadBudget.js';
import { version } from './version.js';
import { sealedAs } from './providers/db/sealed.js';
import { StaffDb } from './staff/staff.db.js';
import { StaffService } from './staff/staffService.js';
import { staffGuard } from './staff/staff.routes.js';
import { AuditDb } from './audit/audit.db.js';
import { AccessAudit } from './audit/accessAudit.js';
import { ReviewDb } from './review/review.db.js';
import { ReviewService } from './review/reviewService.js';
import { RegistrationsDb } from './registrations/registrations.db.js';
import { RegistrationService } from './registrations/registrationService.js';
import { RetentionDb } from './retention/retention.db.js';
import { RetentionService } from './retention/retentionService.js';
import type { EvidenceStorage } from './providers/storage/storage.port.js';
import { OperationsDb } from './operations/operations.db.js';
import { OperationsService } from './operations/operationsService.js';
import { NoticesDb } from './notices/notices.db.js';
import { NoticeService } from './notices/noticeService.js';
import { HandoffsDb } from './handoff/handoffs.db.js';
import { HandoffService } from './handoff/handoffService.js';
import { HttpNotifier } from './providers/notifier/http.notifier.js';
import { SandboxNotifier } from './providers/notifier/sandbox.notifier.js';
import type { NotifierPort } from './providers/notifier/notifier.port.js';
import type { BillingPort } from './providers/billing/billing.port.js';
import { HttpBilling } from './providers/billing/http.billing.js';
import { SandboxBilling } from './providers/billing/sandbox.billing.js';
import { CampaignsDb } from './reregistration/campaigns.db.js';
import { CampaignService } from './reregistration/campaignService.js';
import { NumberProofsDb } from './reregistration/numberProofs.db.js';
import { NumberProofService } from './reregistration/numberProofService.js';
import { ReregistrationService } from './reregistration/reregistrationService.js';
import { ChannelPatrol } from './services/channelPatrol.js';
import { MonitoringDb } from './monitoring/monitoring.db.js';
import { MonitoringService } from './monitoring/monitoringService.js';
import { DashboardService } from './monitoring/dashboardService.js';
import { CasesDb } from './cases/cases.db.js';
import { CaseService } from './cases/caseService.js';

export interface RunningServer {
  url: string;
  port: number;
  /** Where buyers reach this service: PUBLIC_URL, or the sandbox's own address. */
  publicUrl: string;
  orders: OrderService;
  fulfilment: FulfilmentService;
  db: OrdersDb;
  envelope: Envelope;
  uploads: UploadBudget;
  staff: StaffService;
  reviews: ReviewService;
  audit: AccessAudit;
  registrations: RegistrationService;
  retention: RetentionService;
  notices: NoticeService;
  campaigns: CampaignService;
  reregistrations: ReregistrationService;
  patrol: ChannelPatrol;
  monitoring: MonitoringService;
  cases: CaseService;
  /** The sandbox's provisioning stand-in (undefined when the operator's system, or an override, is used). */
  sandboxProvisioning: MockProvisioning | undefined;
  /** The sandbox's billing stand-in (undefined when the operator's system, or an override, is used). */
  sandboxBilling: SandboxBilling | undefined;
  /** Runs the periodic work now (it also runs every minute). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

/** Parts a caller may supply instead of the configured ones (tests share one vision engine). */
export interface StartOverrides {
  engine?: VisionEngine;
  authority?: AuthorityPort;
  provisioning?: ProvisioningPort;
  billing?: BillingPort;
  logistics?: LogisticsPort;
  notifier?: NotifierPort;
  keySource?: KeySource;
  /** Wraps the configured evidence store (tests: one that fails part-way, as a stopped process would). */
  wrapStorage?: (storage: EvidenceStorage) => EvidenceStorage;
  /** Where log lines go (stderr by default). */
  log?: (level: 'error' | 'info', message: string) => void;
  /** The clock, in ms since the epoch (tests move it forward to expire holds). */
  now?: () => number;
}

/** How often due provisioning requests and webhook notices are looked for (retries after a failure). */
const JOBS_INTERVAL_MS = 500;
/** Time the readiness check gives a vision thread to answer. */
const VISION_PING_MS = 5000;
const DAY_MS = 86_400_000;
/** Time requests in progress get to finish when the server stops. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Starts the BFF; `port: 0` picks a free port (tests). */
export async function start(config: Config = loadConfig(), overrides: StartOverrides = {}): Promise<RunningServer> {
  const log = overrides.log ?? ((level: 'error' | 'info', message: string): void => {
    if (config.logLevel === 'silent' || (config.logLevel === 'error' && level === 'info')) return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  });
  const background: Background = backgroundRunner(log);
  // What the configuration names is read first: a wrong file stops the start before anything is made.
  const logo = await loadOperatorLogo(config.operator.logo);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await chmod(config.dataDir, 0o700);
  const keySource = overrides.keySource ?? createKeySource(config);
  const envelope = new Envelope(new Keyring(await keySource.load()));
  const db = await openOrdersDb(config.database, envelope);
  const fulfilmentDb = new FulfilmentDb(db);
  const channelsDb = new ChannelsDb(db);
  const now = overrides.now ?? Date.now;
  const sandbox = config.mode === 'sandbox';

  // The carrier's and the provisioning system's stand-ins (sandbox) keep their state in files of their own.
  const provisioning = overrides.provisioning ?? (config.provisioning.adapter === 'http'
    ? new HttpProvisioning(config.provisioning)
    : new MockProvisioning(path.join(config.dataDir, 'sandbox-provisioning.db'), { latencyMs: config.provisioning.latencyMs, failureRate: config.provisioning.failureRate }));
  const billing = overrides.billing ?? (config.billing.adapter === 'http'
    ? new HttpBilling(config.billing)
    : new SandboxBilling(path.join(config.dataDir, 'sandbox-billing.db'), { latencyMs: config.billing.latencyMs, holderKey: (idNumber) => holderKey(envelope, idNumber) }));
  const logistics = overrides.logistics ?? (config.logistics.adapter === 'http'
    ? new HttpLogistics(config.logistics)
    : new MockLogistics(path.join(config.dataDir, 'sandbox-logistics.db'), {
      latencyMs: config.logistics.latencyMs,
      webhookSecret: config.logistics.webhookSecret ?? envelope.digest('carrier webhooks', 'logistics-webhook-secret'),
    }));

  const inbox = config.notifier.adapter === 'sandbox' && !overrides.notifier
    ? new SandboxNotifier(path.join(config.dataDir, 'sandbox-sms.db'), { ...config.notifier, now })
    : undefined;
  const notifier = overrides.notifier ?? (config.notifier.adapter === 'http' ? new HttpNotifier(config.notifier) : inbox);
  const notices = new NoticeService({ db: new NoticesDb(db.database), notifier, envelope, now, log, claimMs: config.outboxClaimSeconds * 1000 });

  if (sandbox) await seedSandbox(config, db, fulfilmentDb, envelope, now());
  else await retireSandbox(db, fulfilmentDb, envelope, now(), log);

  const limits = new Limits(config.limits, limitStore(config));
  const uploads = new UploadBudget(config.limits.uploadMemoryBytes, config.limits.uploadsPerClient);
  const engine = overrides.engine ?? createVisionEngine(config.vision);
  const configured = createStorage(config, envelope);
  const storage = overrides.wrapStorage?.(configured) ?? configured;
  const audit = new AccessAudit(new AuditDb(db.database), envelope, now);
  const registrationsDb = new RegistrationsDb(db.database);
  const registrations = new RegistrationService({ db: registrationsDb, orders: db, storage, envelope, audit, now });
  const handoffsDb = new HandoffsDb(db.database);
  const campaignsDb = new CampaignsDb(db.database);
  const orders: OrderService = new OrderService({
    db,
    storage,
    envelope,
    engine,
    authority: overrides.authority ?? createAuthority(config.authority),
    billing,
    settings: {
      holdMinutes: config.holdMinutes,
      holdUnclaimedMinutes: config.limits.holdUnclaimedMinutes,
      holdsPerClient: config.limits.holdsPerClient,
      faceMatchMaxDistance: config.faceMatchMaxDistance,
      faceReviewMargin: config.faceReviewMargin,
      authorityTimeoutMs: config.authority.timeoutMs,
      authorityPortrait: config.authority.portrait,
      livenessActions: config.liveness.actions,
      livenessSeconds: config.liveness.seconds,
      livenessAttempts: config.liveness.attempts,
      ...(config.liveness.colourSeed ? { livenessColourSeed: config.liveness.colourSeed } : {}),
    },
    log,
    now,
    // Called only once the services below exist (after an approval, when an order is shown).
    afterApproval: (orderId) => approved(orderId),
    liveFaceSubmitted: (orderId, key, descriptor) => monitoring.faceSubmitted(orderId, key, descriptor),
    deliveryOf: (row) => fulfilment.deliveryOf(row),
    contactOf: (row) => notices.view(row),
    channelFor: (session) => channels.channelForNewOrder(session),
    devices: handoffsDb,
    parcelEventsOf: (orderId) => fulfilmentDb.shipmentEvents(orderId),
    numberHolder: async (msisdn) => {
      const subscriber = await campaignsDb.subscriber(msisdn);
      return subscriber && subscriber.service !== 'stopped' ? subscriber.holder_key : null;
    },
  });
  const fulfilment: FulfilmentService = new FulfilmentService({
    db, fulfilment: fulfilmentDb, storage, envelope, engine, orders, log, background, now, logistics, provisioning,
    register: (trx, orderId, iccid, at) => registrations.register(trx, orderId, iccid, at),
    settings: { faceMatchMaxDistance: config.faceMatchMaxDistance, faceReviewMargin: config.faceReviewMargin, claimMs: config.outboxClaimSeconds * 1000 },
  });
  const activations = new ActivationService({
    db, fulfilment: fulfilmentDb, shipping: fulfilment, storage, envelope, engine, orders, background, now,
    settings: config.activation,
  });

  // Listen first: the sandbox's address (port 0 in tests) is known only then, and links are built from it.
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const publicUrl = config.operator.publicUrl ?? `http://localhost:${port}`;
  const channels = new ChannelService({
    channels: channelsDb,
    orders: db,
    envelope,
    now,
    settings: {
      operatorName: config.operator.name,
      publicUrl,
      operatorToken: config.operator.token ?? await secretFile(path.join(config.dataDir, 'operator.token'), newToken),
      logo,
    },
  });
  await channels.ensureOperatorChannel();
  const patrol = new ChannelPatrol({ channels: channelsDb, publicUrl, intervalHours: config.patrolIntervalHours, now, log });
  const monitoringDb = new MonitoringDb(db.database);
  const monitoring = new MonitoringService({
    db: monitoringDb, envelope, settings: config.monitoring, now, log,
    suspendAgent: async (channelId, reason, evidence) => {
      await channels.update(channelId, { status: 'suspended', reason, evidence }, 'monitoring');
    },
  });
  // The demo agent's sites are the addresses this sandbox answers on; production sells through none.
  if (sandbox) await channels.seedDemo([...new Set([new URL(publicUrl).origin, `http://localhost:${port}`, `http://127.0.0.1:${port}`])], [`${publicUrl}/demo/storefront`]);
  else await channels.retireDemo();
  const staffDb = new StaffDb(db.database);
  const staff = new StaffService({ db: staffDb, envelope, now, settings: { ...config.staff, issuer: config.operator.name } });
  const reviews = new ReviewService({
    db: new ReviewDb(db.database), orders: db, orderService: orders, storage, envelope, audit, settings: config.review, now, log,
    afterApproval: (orderId) => approved(orderId),
  });
  const retention = new RetentionService({ db: new RetentionDb(db.database), orders: db, storage, envelope, audit, settings: config.retention, now, log });
  const operations = new OperationsService({
    db: new OperationsDb(db.database), orders: db, fulfilment: fulfilmentDb, now,
    runJobs: () => background('provisioning', fulfilment.runDueJobs()),
    ship: (orderId) => background('shipping', fulfilment.ship(orderId)),
  });
  const handoffs = new HandoffService({ db: handoffsDb, orders: db, orderService: orders, envelope, publicUrl, now });
  const campaigns = new CampaignService({
    db: campaignsDb, provisioning, billing, notifier, link: `${publicUrl}/reregister`, envelope, now, log,
    // In the sandbox, the provisioning and billing stand-ins learn the subscribers imported, as the operator's systems know them.
    onImported: (rows) => {
      if (provisioning instanceof MockProvisioning) provisioning.adopt(rows);
      if (billing instanceof SandboxBilling) billing.book(rows);
    },
  });
  const numberProofsDb = new NumberProofsDb(db.database);
  const numberProofs = new NumberProofService({ db: numberProofsDb, campaigns: campaignsDb, notifier, envelope, now, log });
  const reregistrations = new ReregistrationService({
    orders: db, orderService: orders, proofs: numberProofs, campaigns, subscribers: campaignsDb, registrations, now, log,
    onRegistered: (line) => {
      if (billing instanceof SandboxBilling) billing.book([line]);
    },
  });
  const cases = new CaseService({
    db: new CasesDb(db.database), registrations: registrationsDb, subscribers: campaignsDb, orders, storage, envelope, provisioning, now,
    notifier, reregisterLink: `${publicUrl}/reregister`,
    agents: { byNumber: (agentNumber) => channelsDb.byAgentNumber(agentNumber), update: (id, request, actor) => channels.update(id, request, actor) },
    staffExists: async (username) => { const account = await staffDb.accountByName(username); return account !== undefined && account.disabled_at === null; },
  });
  // An approved purchase is shipped; an approved re-registration becomes the number's registration.
  const approved = (orderId: string): void => background('approval', db.getOrder(orderId)
    .then((row) => {
      if (row?.delivery_path === 'reregistration') return reregistrations.complete(orderId);
      // An approved identity check waits for its reporter to file.
      if (row && isPurchase(row.delivery_path)) return fulfilment.ship(orderId);
      return undefined;
    }));
  const webhooks = new WebhookSender({ channels: channelsDb, service: channels, log, now, claimMs: config.outboxClaimSeconds * 1000 });

  const readiness = async (): Promise<Readiness> => {
    const database = await db.probeWrite(now()).then(
      () => ({ ok: true }),
      (error: unknown) => ({ ok: false, detail: failureName(error) }),
    );
    const disk = await statfs(config.dataDir).then(
      (s) => (s.bavail * s.bsize >= config.ready.minFreeBytes ? { ok: true } : { ok: false, detail: `${Math.floor((s.bavail * s.bsize) / 2 ** 20)} MB free` }),
      (error: unknown) => ({ ok: false, detail: failureName(error) }),
    );
    const vision = (await engine.ping(VISION_PING_MS)) ? { ok: true } : { ok: false, detail: 'no vision thread answered' };
    const store = storage.probe ? await storage.probe().then(() => ({ ok: true }), (error: unknown) => ({ ok: false, detail: failureName(error) })) : undefined;
    const checks = { database, disk, vision, ...(store ? { storage: store } : {}) };
    return { status: Object.values(checks).every((c) => c.ok) ? 'ready' : 'not_ready', checks };
  };
  server.on('request', createApp({
    config, version, log, orders, fulfilment, activations, channels, publicUrl, readiness,
    staff,
    reviews,
    audit,
    registrations,
    retention,
    operations,
    notices,
    handoffs,
    campaigns,
    numberProofs,
    reregistrations,
    patrol,
    monitoring,
    dashboard: new DashboardService(monitoringDb),
    cases,
    inbox,
    // Production's cookies go over HTTPS only (PUBLIC_URL is https there).
    guards: { limits, uploads, staff: staffGuard(staff, !sandbox) },
    clientKey: (network) => envelope.digest(network, 'client'),
  }));

  const resumed = await orders.resumeVerifications();
  if (resumed > 0) log('info', `resumed ${resumed} verification(s) interrupted by the last stop`);

  // The periodic work: drafts whose hold ended, approved orders left unshipped and activations left
  // half-way (after a stop), and what is kept only for a while. Each part's failure is logged alone.
  const sweep = (): Promise<void> => settleAll(log, {
    'draft expiry': () => orders.expireDrafts(),
    'fulfilment sweep': () => fulfilment.sweep(),
    'review sweep': () => reviews.sweep(),
    retention: () => retention.sweep(),
    'case retention': () => cases.purgeClosed(now() - config.retention.caseDays * DAY_MS),
    'campaign sweep': () => campaigns.sweep(),
    're-registrations': () => reregistrations.sweep(),
    'agent patrol': () => patrol.patrolIfDue(),
    monitoring: () => monitoring.sweep(),
    pruning: async () => {
      const at = now();
      await db.pruneFrameDigests(at - config.retention.frameDigestDays * DAY_MS);
      await channelsDb.pruneDelivered(at - config.retention.webhookLogDays * DAY_MS);
      await limits.prune(Date.now());
      await staff.prune();
      await numberProofsDb.prune(at);
      await monitoringDb.pruneLapses(at - Math.max(7 * DAY_MS, config.monitoring.heldUnordered.seconds * 1000));
      await monitoringDb.pruneFaces(at - config.monitoring.sameFace.days * DAY_MS);
    },
  });
  background('sweep', sweep());
  const sweeper = setInterval(() => background('sweep', sweep()), config.sweepIntervalSeconds * 1000);
  sweeper.unref();
  const jobs = setInterval(() => {
    background('provisioning', fulfilment.runDueJobs());
    background('webhooks', webhooks.runDue());
    background('notices', notices.runDue());
  }, JOBS_INTERVAL_MS);
  jobs.unref();
  // Learn keys being rotated in (npm run rotate-key) without a restart.
  const keyReload = setInterval(() => {
    background('key reload', keySource.load().then((data) => envelope.useKeyring(new Keyring(data))));
  }, config.keys.reloadSeconds * 1000);
  keyReload.unref();

  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  log('info', `listening on http://${host}:${port} (${config.mode}; data in ${config.dataDir})`);
  return {
    url: `http://${host}:${port}`,
    port,
    publicUrl,
    orders,
    fulfilment,
    db,
    envelope,
    uploads,
    staff,
    reviews,
    audit,
    registrations,
    retention,
    notices,
    campaigns,
    reregistrations,
    patrol,
    monitoring,
    cases,
    sandboxProvisioning: provisioning instanceof MockProvisioning && !overrides.provisioning ? provisioning : undefined,
    sandboxBilling: billing instanceof SandboxBilling && !overrides.billing ? billing : undefined,
    sweep,
    async stop() {
      clearInterval(sweeper);
      clearInterval(jobs);
      clearInterval(keyReload);
      // Requests in progress may finish; a client that holds its connection open does not keep us.
      server.closeIdleConnections();
      const closing = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closing.finally(() => clearTimeout(grace));
      if (!overrides.engine) await engine.close();
      if (provisioning instanceof MockProvisioning && !overrides.provisioning) provisioning.close();
      if (logistics instanceof MockLogistics && !overrides.logistics) logistics.close();
      if (billing instanceof SandboxBilling && !overrides.billing) billing.close();
      inbox?.close();
      await limits.close();
      await db.close();
    },
  };
}

/**
 * The sandbox's own data, on every sandbox start: a random number pool and SIM stock (with pack
 * codes) when there is none, the sandbox identities' cards held elsewhere (to rehearse the five-card
 * cap), and the sandbox couriers.
 */
async function seedSandbox(config: Config, db: OrdersDb, fulfilment: FulfilmentDb, envelope: Envelope, now: number): Promise<void> {
  if (await db.countNumbers() === 0) await db.seedNumbers(randomNumberPool(config.numbersPerPrefix), 'sandbox');
  if (await fulfilment.countSimCards() === 0) {
    await fulfilment.addSimCards(randomSimStock(config.simStock).map(({ iccid, packCode }) => ({
      iccid, pack_code_hash: packCodeDigest(envelope, iccid, packCode), sandbox_pack_code: envelope.sealJson(packCode, sealedAs.packCode(iccid)), origin: 'sandbox',
    })));
  }
  if (config.authority.adapter === 'mock') {
    for (const who of SANDBOX_IDENTITIES) if (who.existingCards) await db.setHolderCards(holderKey(envelope, who.idNumber), who.existingCards);
  }
  for (const courier of SANDBOX_COURIERS) {
    await fulfilment.ensureCourier({ id: courier.id, company: courier.company, name: courier.name, role: courier.role, token_hash: hashToken(courier.token), created_at: now });
  }
}

/**
 * Production on a data folder a sandbox used: the sandbox's couriers are disabled, its made-up
 * numbers and cards no longer offered, its identities' cards elsewhere forgotten. Orders stay.
 */
async function retireSandbox(db: OrdersDb, fulfilment: FulfilmentDb, envelope: Envelope, now: number, log: (level: 'error' | 'info', message: string) => void): Promise<void> {
  const couriers = await fulfilment.disableCouriers(SANDBOX_COURIERS.map((c) => c.id), now);
  const numbers = await db.removeSandboxNumbers();
  const cards = await fulfilment.removeSandboxSimCards();
  const holders = await db.removeHolderCards(SANDBOX_IDENTITIES.map((who) => holderKey(envelope, who.idNumber)));
  if (couriers + numbers + cards + holders > 0) {
    log('info', `production: retired the sandbox's data (${couriers} courier(s) disabled, ${numbers} number(s) and ${cards} card(s) withdrawn, ${holders} sandbox holder(s) removed)`);
  }
}

/** Where the limits count: the database's PostgreSQL, a file of the machine's, or memory. */
function limitStore(config: Config): LimitStore {
  if (config.limits.store === 'memory') return { kind: 'memory' };
  if (config.limits.store === 'postgres' && config.database.engine === 'postgres') {
    return { kind: 'postgres', pool: new pg.Pool({ connectionString: config.database.url, max: 4 }) };
  }
  return { kind: 'sqlite', db: openSqliteFile(path.join(config.dataDir, 'limits.db')) };
}

/** Runs every part, each to its end; a part that fails is logged and does not stop the others. */
async function settleAll(log: (level: 'error' | 'info', message: string) => void, parts: Record<string, () => unknown>): Promise<void> {
  await Promise.all(Object.entries(parts).map(([what, part]) => Promise.resolve().then(part).catch((error: unknown) => log('error', `${what} failed: ${failureName(error)}`))));
}

/** The process stays up whatever a forgotten promise does: the failure is logged, the server serves on. */
export function guardProcess(log: (message: string) => void): void {
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${failureName(reason)}`));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  guardProcess((message) => process.stderr.write(`${new Date().toISOString()} error ${message}\n`));
  try {
    const running = await start();
    const shutdown = (): void => {
      running.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
