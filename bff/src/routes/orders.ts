import { Router } from 'express';
import { z } from 'zod';
import {
  EVIDENCE_KINDS,
  MVNO_PREFIXES,
  consentRequestSchema,
  createOrderRequestSchema,
  holdRequestSchema,
  submitRequestSchema,
} from '@shared';
import { bearerToken, parseWith, timelineOf } from '../http/validate.js';
import { MAX_FRAMES_BYTES, MAX_UPLOAD_BYTES, frameUpload, imageUpload, uploadedFiles } from '../http/upload.js';
import { clientOf } from '../http/client.js';
import type { Guards } from '../http/guards.js';
import type { OrderService } from '../services/orderService.js';

const listQuery = z.object({
  prefix: z.enum(MVNO_PREFIXES).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
const orderParams = z.object({ id: z.uuid() });
const evidenceParams = orderParams.extend({ kind: z.enum(EVIDENCE_KINDS) });
const challengeParams = orderParams.extend({ challengeId: z.uuid() });
/** A device's own random id, sent by the SPA; submissions per device are limited by it. */
const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;

export function orderRoutes(orders: OrderService, { limits, uploads }: Guards): Router {
  const router = Router();
  const order = (id: string) => `order:${id}`;

  router.get('/numbers', async (req, res) => {
    const { prefix, limit } = parseWith(listQuery, req.query);
    res.json(await orders.listNumbers(prefix, limit));
  });

  router.post('/holds', limits.per('holds'), async (req, res) => {
    res.status(201).json(await orders.hold(parseWith(holdRequestSchema, req.body).msisdn, clientOf(req)));
  });

  router.post('/orders', limits.per('orders'), async (req, res) => {
    res.status(201).json(await orders.createOrder(parseWith(createOrderRequestSchema, req.body)));
  });

  router.get('/orders/:id', async (req, res) => {
    const row = await orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')), 'device');
    res.json(await orders.view(row));
  });

  router.post('/orders/:id/consent', async (req, res) => {
    const row = await orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));
    res.json(await orders.consent(row, parseWith(consentRequestSchema, req.body)));
  });

  // Authorise before reading the body: a stranger's upload is refused without buffering it, and one
  // order sends one photo at a time within the memory budget of all uploads.
  router.put(
    '/orders/:id/evidence/:kind',
    limits.per('uploads'),
    async (req, _res, next) => {
      await orders.authorize(parseWith(evidenceParams, req.params).id, bearerToken(req.get('authorization')), 'device');
      next();
    },
    uploads.guard(MAX_UPLOAD_BYTES, (req) => order(String(req.params.id))),
    imageUpload,
    async (req, res) => {
      const { id, kind } = parseWith(evidenceParams, req.params);
      const row = await orders.authorize(id, bearerToken(req.get('authorization')), 'device');
      res.json(await orders.uploadEvidence(row, kind, uploadedFiles(req)[0] ?? Buffer.alloc(0)));
    },
  );

  router.post('/orders/:id/liveness', limits.per('liveChecks'), async (req, res) => {
    const row = await orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')), 'device');
    res.status(201).json(await orders.startLiveness(row));
  });

  router.post(
    '/orders/:id/liveness/:challengeId/frames',
    limits.per('liveChecks'),
    async (req, _res, next) => {
      await orders.authorize(parseWith(challengeParams, req.params).id, bearerToken(req.get('authorization')), 'device');
      next();
    },
    uploads.guard(MAX_FRAMES_BYTES, (req) => order(String(req.params.id))),
    frameUpload,
    async (req, res) => {
      const { id, challengeId } = parseWith(challengeParams, req.params);
      const row = await orders.authorize(id, bearerToken(req.get('authorization')), 'device');
      res.json(await orders.answerLiveness(row, challengeId, uploadedFiles(req), timelineOf(req)));
    },
  );

  // Applications per network and per device a day are limited: each one that reaches the national ID
  // service costs the operator, and many from one place is what batch card opening looks like.
  router.post('/orders/:id/submit', limits.per('submissions'), async (req, res) => {
    const row = await orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));
    parseWith(submitRequestSchema, req.body);
    const device = req.get('x-device-id');
    if (row.state === 'draft' && device && DEVICE_ID.test(device)) await limits.spend('deviceSubmissions', device);
    const { order: view, started } = await orders.submit(row);
    res.status(started ? 202 : 200).json(view);
  });

  return router;
}
