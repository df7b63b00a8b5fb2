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
import { bearerToken, parseWith } from '../http/validate.js';
import { frameUpload, imageUpload, uploadedFiles } from '../http/upload.js';
import type { OrderService } from '../services/orderService.js';

const listQuery = z.object({
  prefix: z.enum(MVNO_PREFIXES).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
const orderParams = z.object({ id: z.uuid() });
const evidenceParams = orderParams.extend({ kind: z.enum(EVIDENCE_KINDS) });
const challengeParams = orderParams.extend({ challengeId: z.uuid() });

export function orderRoutes(orders: OrderService): Router {
  const router = Router();

  router.get('/numbers', (req, res) => {
    const { prefix, limit } = parseWith(listQuery, req.query);
    res.json(orders.listNumbers(prefix, limit));
  });

  router.post('/holds', (req, res) => {
    res.status(201).json(orders.hold(parseWith(holdRequestSchema, req.body).msisdn));
  });

  router.post('/orders', (req, res) => {
    res.status(201).json(orders.createOrder(parseWith(createOrderRequestSchema, req.body)));
  });

  router.get('/orders/:id', (req, res) => {
    const row = orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));
    res.json(orders.view(row));
  });

  router.post('/orders/:id/consent', (req, res) => {
    const row = orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));
    res.json(orders.consent(row, parseWith(consentRequestSchema, req.body)));
  });

  // Authorise before reading the body: a stranger's upload is refused without buffering it.
  router.put(
    '/orders/:id/evidence/:kind',
    (req, _res, next) => {
      orders.authorize(parseWith(evidenceParams, req.params).id, bearerToken(req.get('authorization')));
      next();
    },
    imageUpload,
    async (req, res) => {
      const { id, kind } = parseWith(evidenceParams, req.params);
      const row = orders.authorize(id, bearerToken(req.get('authorization')));
      res.json(await orders.uploadEvidence(row, kind, uploadedFiles(req)[0] ?? Buffer.alloc(0)));
    },
  );

  router.post('/orders/:id/liveness', (req, res) => {
    const row = orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));
    res.status(201).json(orders.startLiveness(row));
  });

  router.post(
    '/orders/:id/liveness/:challengeId/frames',
    (req, _res, next) => {
      orders.authorize(parseWith(challengeParams, req.params).id, bearerToken(req.get('authorization')));
      next();
    },
    frameUpload,
    async (req, res) => {
      const { id, challengeId } = parseWith(challengeParams, req.params);
      const row = orders.authorize(id, bearerToken(req.get('authorization')));
      res.json(await orders.answerLiveness(row, challengeId, uploadedFiles(req)));
    },
  );

  router.post('/orders/:id/submit', (req, res) => {
    const row = orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));
    parseWith(submitRequestSchema, req.body);
    const { order, started } = orders.submit(row);
    res.status(started ? 202 : 200).json(order);
  });

  return router;
}
