import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Environment, Readiness } from '@shared';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { openApiRoutes } from './routes/openapi.js';
import { orderRoutes } from './routes/orders.js';
import type { OrderService } from './services/orderService.js';
import type { ActivationService } from './services/activationService.js';
import type { FulfilmentService } from './services/fulfilmentService.js';
import { activationRoutes, courierRoutes, logisticsRoutes } from './routes/fulfilment.js';
import { channelRoutes } from './routes/channels.js';
import { type ChannelService, DEMO_AGENT } from './services/channelService.js';
import { storefrontPage } from './sandbox/storefront.js';
import { IllegalTransitionError } from './domain/orderState.js';
import { VisionEngineBusyError, VisionTaskFailedError } from './engine/visionEngine.js';
import { TaskDroppedError } from './engine/fairQueue.js';
import { FACE_MODEL_DIR } from './engine/face/modelDir.js';
import { identifyClients } from './http/client.js';
import type { Guards } from './http/guards.js';
import { inlineScriptHashes, pageCsp, securityHeaders } from './http/headers.js';
import { failureName } from './background.js';
import type { StaffService } from './staff/staffService.js';
import { staffRoutes } from './staff/staff.routes.js';
import type { ReviewService } from './review/reviewService.js';
import { reviewRoutes } from './review/review.routes.js';
import type { AccessAudit } from './audit/accessAudit.js';
import { auditRoutes } from './audit/audit.routes.js';
import type { RegistrationService } from './registrations/registrationService.js';
import { registrationRoutes } from './registrations/registrations.routes.js';
import type { RetentionService } from './retention/retentionService.js';
import { retentionRoutes } from './retention/retention.routes.js';
import { campaignRoutes } from './reregistration/campaigns.routes.js';
import type { CampaignService } from './reregistration/campaignService.js';
import type { NumberProofService } from './reregistration/numberProofService.js';
import type { ReregistrationService } from './reregistration/reregistrationService.js';
import type { ChannelPatrol } from './services/channelPatrol.js';
import type { MonitoringService } from './monitoring/monitoringService.js';
import type { DashboardService } from './monitoring/dashboardService.js';
import { monitoringRoutes } from './monitoring/monitoring.routes.js';
import { reregisterRoutes } from './reregistration/reregister.routes.js';
import type { CaseService } from './cases/caseService.js';
import { caseRoutes, reportRoutes } from './cases/cases.routes.js';
import type { OperationsService } from './operations/operationsService.js';
import { operationsRoutes } from './operations/operations.routes.js';
import type { NoticeService } from './notices/noticeService.js';
import { noticeRoutes } from './notices/notices.routes.js';
import type { HandoffService } from './handoff/handoffService.js';
import { handoffRoutes } from './handoff/handoffs.routes.js';
import type { SandboxNotifier } from './providers/notifier/sandbox.notifier.js';

export interface AppDeps {
  config: Config;
  version: string;
  log: (level: 'error' | 'info', message: string) => void;
  orders: OrderService;
  fulfilment: FulfilmentService;
  activations: ActivationService;
  channels: ChannelService;
  staff: StaffService;
  reviews: ReviewService;
  audit: AccessAudit;
  registrations: RegistrationService;
  retention: RetentionService;
  campaigns: CampaignService;
  numberProofs: NumberProofService;
  reregistrations: ReregistrationService;
  patrol: ChannelPatrol;
  monitoring: MonitoringService;
  dashboard: DashboardService;
  cases: CaseService;
  operations: OperationsService;
  notices: NoticeService;
  handoffs: HandoffService;
  /** The sandbox SMS centre, whose inbox QA reads (none in production). */
  inbox: SandboxNotifier | undefined;
  guards: Guards;
  /** Where buyers reach this service (PUBLIC_URL, or the sandbox's own address): every link is built from it. */
  publicUrl: string;
  /** A keyed digest of a client's network: limits count by it, no address is kept. */
  clientKey: (network: string) => string;
  readiness: () => Promise<Readiness>;
}

export function createApp(deps: AppDeps): Express {
  const { config, version, log, orders, fulfilment, activations, channels, guards, publicUrl } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Which proxies may name the client (X-Forwarded-For); by default none, and the socket's address counts.
  app.set('trust proxy', config.limits.trustProxy);
  app.use(...securityHeaders(config.mode === 'production'));
  // The SPA's files, the face tracker's and the models gzipped for phones on slow networks. Not the
  // API: its answers carry secrets next to what a client sent (BREACH), and they are small.
  app.use(compression({ filter: (req, res) => !req.originalUrl.startsWith('/api/') && compression.filter(req, res) }));

  app.use('/api', (_req, res, next) => {
    // Answers carry identity data: never cache them anywhere.
    res.set('Cache-Control', 'no-store');
    next();
  });
  // The carrier's webhook reads its body raw (it is signed), so it comes before the JSON parser.
  app.use('/api', logisticsRoutes(fulfilment));
  // The billing system's batches of subscribers are larger than anything a client sends (2,000 records).
  app.use('/api/operator/subscribers', express.json({ limit: '512kb' }));
  // The client is named after the JSON body is read: the parser calls back outside the request's context.
  app.use('/api', express.json({ limit: '32kb' }), identifyClients(deps.clientKey), guards.limits.per('requests'));
  const environment: Environment = { mode: config.mode, operatorName: config.operator.name, notices: deps.notices.enabled };
  app.get('/api/environment', (_req, res) => {
    res.json(environment);
  });
  app.use('/api', healthRoutes(version, deps.readiness), openApiRoutes(version), orderRoutes(orders, guards),
    courierRoutes(fulfilment, guards), activationRoutes(activations, guards), channelRoutes(channels, deps.patrol, guards),
    staffRoutes(deps.staff, guards.staff, guards.limits), reviewRoutes(deps.reviews, guards.staff), auditRoutes(deps.audit, guards.staff),
    registrationRoutes(deps.registrations, guards.staff), retentionRoutes(deps.retention, orders, guards.staff),
    operationsRoutes(deps.operations, guards.staff), noticeRoutes(deps.notices, orders, guards, deps.inbox),
    handoffRoutes(deps.handoffs, orders, guards), campaignRoutes(deps.campaigns, guards.staff, { limits: guards.limits, authorize: (token) => channels.authorizeOperator(token) }),
    reregisterRoutes(deps.numberProofs, deps.reregistrations, guards), monitoringRoutes(deps.monitoring, deps.dashboard, guards.staff),
    reportRoutes(deps.cases, orders, guards), caseRoutes(deps.cases, guards.staff));
  app.use('/api', (req) => {
    throw new AppError('not_found', `no such endpoint: ${req.method} ${req.baseUrl}${req.path}`, 404);
  });

  // The face models the SPA's live check tracks faces with, straight from the face-api package.
  app.use('/models', express.static(FACE_MODEL_DIR, { index: false, maxAge: '7d' }), (req) => {
    throw new AppError('not_found', `no such model file: ${req.path}`, 404);
  });

  // The sandbox's demo storefront of the demo agent, embedding the flow from the sandbox's address.
  if (config.mode === 'sandbox') {
    app.get('/demo/storefront', (req, res) => {
      const page = storefrontPage({ operatorUrl: publicUrl, agent: DEMO_AGENT.agentNumber, way: req.query.way === 'iframe' ? 'iframe' : 'component' });
      res.set('Content-Security-Policy', page.csp).type('html').send(page.html);
    });
  }

  // The SPA: built files, and index.html for every client-side route, always with its CSP (an HTML
  // file asked for by name too). Storefronts load embed.js as a module from their own pages.
  const spa = spaPage(config.webDist, channels);
  app.use((req, res, next) => (req.method === 'GET' && req.path.endsWith('.html') ? spa(req, res, next) : next()));
  app.use('/embed.js', (_req, res, next) => {
    res.set('Access-Control-Allow-Origin', '*');
    next();
  });
  app.use(express.static(config.webDist, { index: false, maxAge: '1h' }));
  app.get('/{*path}', spa);

  const handleError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    // Answered already (work dropped once its request was answered ends here too).
    if (res.headersSent) {
      if (!(error instanceof TaskDroppedError)) log('error', `after the answer: ${failureName(error)}`);
      return;
    }
    // Refused before its body was read (a limit, a stranger's upload): the rest of the body is not
    // worth reading, so the connection closes after the answer instead of draining it.
    if (!req.complete) res.set('Connection', 'close');
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.retryAfterSeconds));
      res.status(error.status).json(error.toBody());
      return;
    }
    if (error instanceof IllegalTransitionError) {
      res.status(409).json(new AppError('illegal_transition', error.message, 409).toBody());
      return;
    }
    if (error instanceof VisionEngineBusyError || error instanceof VisionTaskFailedError) {
      res.set('Retry-After', '5').status(503).json(new AppError('overloaded', 'busy reading other photos; try again in a few seconds', 503).toBody());
      return;
    }
    // body-parser errors carry a 4xx status of their own (malformed JSON, too large).
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(new AppError('bad_request', (error as Error).message, status).toBody());
      return;
    }
    // The kind and stack only: messages of library errors can quote input, and input may be identity data.
    log('error', `unhandled: ${error instanceof Error ? (error.stack?.split('\n').slice(1).join('\n') ?? '') : ''} ${failureName(error)}`);
    res.status(500).json(new AppError('internal', 'internal error', 500).toBody());
  };
  app.use(handleError);
  return app;
}

/**
 * index.html with its CSP: the inline scripts by their hashes (read again when the build changes),
 * and who may frame it: the embed entry only its agent's sites; other pages this site and every
 * active agent's (a page reloaded inside a storefront's frame still shows). Framed anywhere else,
 * the browser does not show it at all.
 */
function spaPage(webDist: string, channels: ChannelService): RequestHandler {
  const index = path.join(webDist, 'index.html');
  let built: { mtimeMs: number; html: string; hashes: string[] } | undefined;
  return async (req, res, next) => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(index).mtimeMs;
    } catch {
      next(new AppError('not_found', 'the web app is not built: run `npm run build`', 404));
      return;
    }
    if (built?.mtimeMs !== mtimeMs) {
      const html = readFileSync(index, 'utf8');
      built = { mtimeMs, html, hashes: inlineScriptHashes(html) };
    }
    const agent = req.path === '/embed' ? (typeof req.query.agent === 'string' ? req.query.agent : '') : undefined;
    res.set({ 'Content-Security-Policy': pageCsp(built.hashes, await channels.frameAncestors(agent)), 'Cache-Control': 'no-cache' });
    // The embed entry framed by one of the agent's sites (the browser names the framing page's origin
    // in the Referer of the frame's request) carries a session naming the agent: its orders are the agent's.
    const session = agent ? await channels.agentSession(agent, originOf(req.get('referer'))) : undefined;
    res.type('html').send(session ? built.html.replace('</head>', `<meta name="sim-agent-session" content="${session.session}"></head>`) : built.html);
  };
}

/** The origin of a URL a header names, if it is one. */
function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}
