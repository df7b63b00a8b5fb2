import express, { Router } from 'express';
import { z } from 'zod';
import { HANDOVER_CODE, refuseRequestSchema, startActivationRequestSchema } from '@shared';
import { bearerToken, parseWith } from '../http/validate.js';
import { frameUpload, handoverUpload, imageUpload, uploadedFiles } from '../http/upload.js';
import type { ActivationService } from '../services/activationService.js';
import type { FulfilmentService } from '../services/fulfilmentService.js';

const trackingParams = z.object({ tracking: z.string().regex(/^[A-Z0-9]{6,30}$/, 'a tracking number is 6-30 capital letters and digits') });
const handoverFields = z.object({ code: z.string().regex(HANDOVER_CODE, 'the hand-over code is six digits') });
const activationParams = z.object({ id: z.uuid() });
const challengeParams = activationParams.extend({ challengeId: z.uuid() });

/** The courier at the door (path A): their deliveries, the check of the recipient's ID, a refusal. */
export function courierRoutes(fulfilment: FulfilmentService): Router {
  const router = Router();
  const courierOf = (req: express.Request) => fulfilment.courier(bearerToken(req.get('authorization')));

  router.get('/courier/me', (req, res) => {
    const { name, company } = courierOf(req);
    res.json({ name, company });
  });

  router.get('/courier/deliveries/:tracking', (req, res) => {
    res.json(fulfilment.delivery(courierOf(req), parseWith(trackingParams, req.params).tracking));
  });

  // The courier and their right to this delivery are checked before the photos are read in.
  router.post(
    '/courier/deliveries/:tracking/handover',
    (req, _res, next) => {
      fulfilment.openDelivery(courierOf(req), parseWith(trackingParams, req.params).tracking);
      next();
    },
    handoverUpload,
    async (req, res) => {
      const courier = courierOf(req);
      const { tracking } = parseWith(trackingParams, req.params);
      const { code } = parseWith(handoverFields, req.body);
      const [card] = uploadedFiles(req, 'card');
      const [face] = uploadedFiles(req, 'face');
      res.json(await fulfilment.handOver(courier, tracking, { code, card: card ?? Buffer.alloc(0), ...(face ? { face } : {}) }));
    },
  );

  router.post('/courier/deliveries/:tracking/refusal', async (req, res) => {
    const courier = courierOf(req);
    res.json(await fulfilment.refuse(courier, parseWith(trackingParams, req.params).tracking, parseWith(refuseRequestSchema, req.body)));
  });

  return router;
}

/** The carrier's status webhook: the raw body, for its signature. */
export function logisticsRoutes(fulfilment: FulfilmentService): Router {
  const router = Router();
  router.post('/logistics/events', express.raw({ type: () => true, limit: '16kb' }), (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.json(fulfilment.parcelEvent(body, req.get('x-logistics-signature')));
  });
  return router;
}

/** Path B: activating a card that was shipped unactivated. */
export function activationRoutes(activations: ActivationService): Router {
  const router = Router();
  const attemptOf = (req: express.Request) => activations.authorize(parseWith(activationParams, req.params).id, bearerToken(req.get('authorization')));
  const authorizeFirst: express.RequestHandler = (req, _res, next) => {
    attemptOf(req);
    next();
  };

  router.post('/activations', (req, res) => {
    res.status(201).json(activations.start(parseWith(startActivationRequestSchema, req.body)));
  });

  router.get('/activations/:id', (req, res) => {
    res.json(activations.status(attemptOf(req)));
  });

  router.put('/activations/:id/card', authorizeFirst, imageUpload, async (req, res) => {
    res.json(await activations.uploadCard(attemptOf(req), uploadedFiles(req)[0] ?? Buffer.alloc(0)));
  });

  router.post('/activations/:id/liveness', (req, res) => {
    res.status(201).json(activations.startLiveness(attemptOf(req)));
  });

  router.post('/activations/:id/liveness/:challengeId/frames', authorizeFirst, frameUpload, async (req, res) => {
    const attempt = attemptOf(req);
    res.json(await activations.answerLiveness(attempt, parseWith(challengeParams, req.params).challengeId, uploadedFiles(req)));
  });

  router.post('/activations/:id/complete', (req, res) => {
    res.json(activations.complete(attemptOf(req)));
  });

  return router;
}
