import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Config } from './config.js';
import { AppError } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { openApiRoutes } from './routes/openapi.js';
import { orderRoutes } from './routes/orders.js';
import type { OrderService } from './services/orderService.js';
import type { ActivationService } from './services/activationService.js';
import type { FulfilmentService } from './services/fulfilmentService.js';
import { activationRoutes, courierRoutes, logisticsRoutes } from './routes/fulfilment.js';
import { channelRoutes, requestBase } from './routes/channels.js';
import { type ChannelService, DEMO_AGENT } from './services/channelService.js';
import { storefrontPage } from './sandbox/storefront.js';
import { IllegalTransitionError } from './domain/orderState.js';
import { VisionEngineBusyError } from './engine/visionEngine.js';
import { FACE_MODEL_DIR } from './engine/face/modelDir.js';

export interface AppDeps {
  config: Config;
  version: string;
  log: (level: 'error' | 'info', message: string) => void;
  orders: OrderService;
  fulfilment: FulfilmentService;
  activations: ActivationService;
  channels: ChannelService;
}

export function createApp({ config, version, log, orders, fulfilment, activations, channels }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use('/api', (_req, res, next) => {
    // Answers carry identity data: never cache them anywhere.
    res.set('Cache-Control', 'no-store');
    next();
  });
  // The carrier's webhook reads its body raw (it is signed), so it comes before the JSON parser.
  app.use('/api', logisticsRoutes(fulfilment));
  app.use('/api', express.json({ limit: '32kb' }), healthRoutes(version), openApiRoutes(version), orderRoutes(orders),
    courierRoutes(fulfilment), activationRoutes(activations), channelRoutes(channels));
  app.use('/api', (req) => {
    throw new AppError('not_found', `no such endpoint: ${req.method} ${req.baseUrl}${req.path}`, 404);
  });

  // The face models the SPA's live check tracks faces with, straight from the face-api package.
  app.use('/models', express.static(FACE_MODEL_DIR, { index: false, maxAge: '7d' }), (req) => {
    throw new AppError('not_found', `no such model file: ${req.path}`, 404);
  });

  // The sandbox's demo storefront of the demo agent, embedding the flow from PUBLIC_URL.
  if (config.logistics.adapter === 'mock') {
    app.get('/demo/storefront', (req, res) => {
      res.type('html').send(storefrontPage({
        operatorUrl: config.operator.publicUrl ?? requestBase(req).replace('//127.0.0.1:', '//localhost:'),
        agent: DEMO_AGENT.agentNumber, way: req.query.way === 'iframe' ? 'iframe' : 'component',
      }));
    });
  }

  // The SPA: built files, and index.html for every client-side route. Storefronts load embed.js as a
  // module from their own pages, so it (and only it) may be read cross-origin.
  const index = path.join(config.webDist, 'index.html');
  app.use('/embed.js', (_req, res, next) => {
    res.set('Access-Control-Allow-Origin', '*');
    next();
  });
  app.use(express.static(config.webDist, { index: false, maxAge: '1h' }));
  app.get('/{*path}', (req, res, next) => {
    if (!existsSync(index)) {
      next(new AppError('not_found', 'the web app is not built: run `npm run build`', 404));
      return;
    }
    // Who may frame the page: the embed entry only on its agent's sites; other pages on this site and
    // every active agent's. A page framed anywhere else is not shown by the browser at all.
    const agent = req.path === '/embed' ? (typeof req.query.agent === 'string' ? req.query.agent : '') : undefined;
    const ancestors = channels.frameAncestors(agent);
    res.set('Content-Security-Policy', `frame-ancestors ${ancestors.length > 0 ? ancestors.join(' ') : "'none'"}`);
    res.sendFile(index, { maxAge: 0 });
  });

  const handleError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    if (error instanceof AppError) {
      res.status(error.status).json(error.toBody());
      return;
    }
    if (error instanceof IllegalTransitionError) {
      res.status(409).json(new AppError('illegal_transition', error.message, 409).toBody());
      return;
    }
    if (error instanceof VisionEngineBusyError) {
      res.set('Retry-After', '5').status(503).json(new AppError('overloaded', 'busy reading other photos; try again in a few seconds', 503).toBody());
      return;
    }
    // body-parser errors carry a 4xx status of their own (malformed JSON, too large).
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json(new AppError('bad_request', (error as Error).message, status).toBody());
      return;
    }
    // The stack only: messages of library errors can quote input, and input may be identity data.
    log('error', `unhandled: ${error instanceof Error ? (error.stack ?? error.name) : typeof error}`);
    res.status(500).json(new AppError('internal', 'internal error', 500).toBody());
  };
  app.use(handleError);
  return app;
}
