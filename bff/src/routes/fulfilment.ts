import express, { Router } from 'express';
import { z } from 'zod';
import { HANDOVER_CODE, refuseRequestSchema, startActivationRequestSchema } from '@shared';
import { bearerToken, parseWith, timelineOf } from '../http/validate.js';
import { MAX_FRAMES_BYTES, MAX_HANDOVER_BYTES, MAX_UPLOAD_BYTES, frameUpload, handoverUpload, imageUpload, uploadedFiles } from '../http/upload.js';
import { clientOf } from '../http/client.js';
import type { Guards } from '../http/guards.js';
import { signIn } from '../http/limits.js';
import type { ActivationService } from '../services/activationService.js';
import type { FulfilmentService } from '../services/fulfilmentService.js';

const trackingParams = z.object({ tracking: z.string().regex(/^[A-Z0-9]{6,30}$/, 'a tracking number is 6-30 capital letters and digits') });
const handoverFields = z.object({
  code: z.string().regex(HANDOVER_CODE, 'the hand-over code is six digits'),
  /** The courier ticked "I compared the recipient with the ID card". */
  confirmed: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** The courier's device clock (ISO 8601), recorded as it says. */
  deviceTime: z.iso.datetime({ offset: true }).optional(),
});
const activationParams = z.object({ id: z.uuid() });
const challengeParams = activationParams.extend({ challengeId: z.uuid() });

/** The courier at the door (path A): their deliveries, the check of the recipient's ID, a refusal. */
export function courierRoutes(fulfilment: FulfilmentService, { limits, uploads }: Guards): Router {
  const router = Router();
  // Wrong access codes are counted per network: guessing them is slow.
  const courierOf = (req: express.Request) => signIn(limits, clientOf(req), () => fulfilment.courier(bearerToken(req.get('authorization'))));

  router.get('/courier/me', async (req, res) => {
    const { name, company, role } = await courierOf(req);
    res.json({ name, company, role });
  });

  router.get('/courier/deliveries/:tracking', async (req, res) => {
    res.json(await fulfilment.delivery(await courierOf(req), parseWith(trackingParams, req.params).tracking));
  });

  // The courier and their right to this delivery are checked before the photos are read in.
  router.post(
    '/courier/deliveries/:tracking/handover',
    limits.per('uploads'),
    async (req, _res, next) => {
      await fulfilment.openDelivery(await courierOf(req), parseWith(trackingParams, req.params).tracking);
      next();
    },
    uploads.guard(MAX_HANDOVER_BYTES, (req) => `parcel:${String(req.params.tracking)}`),
    handoverUpload,
    async (req, res) => {
      const courier = await courierOf(req);
      const { tracking } = parseWith(trackingParams, req.params);
      const { code, confirmed, deviceTime } = parseWith(handoverFields, req.body);
      const [card] = uploadedFiles(req, 'card');
      const [face] = uploadedFiles(req, 'face');
      res.json(await fulfilment.handOver(courier, tracking, { code, card: card ?? Buffer.alloc(0), face, confirmed, deviceTime }));
    },
  );

  router.post('/courier/deliveries/:tracking/refusal', async (req, res) => {
    const courier = await courierOf(req);
    const request = parseWith(refuseRequestSchema, req.body);
    const { tracking } = parseWith(trackingParams, req.params);
    // A supervisor's access code is a credential too: wrong ones count like wrong sign-ins.
    res.json(await signIn(limits, clientOf(req), async () => await fulfilment.refuse(courier, tracking, request)));
  });

  return router;
}

/** The carrier's status webhook: the raw body, for its signature. */
export function logisticsRoutes(fulfilment: FulfilmentService): Router {
  const router = Router();
  router.post('/logistics/events', express.raw({ type: () => true, limit: '16kb' }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.json(await fulfilment.parcelEvent(body, req.get('x-logistics-signature')));
  });
  return router;
}

/** Path B: activating a card that was shipped unactivated. */
export function activationRoutes(activations: ActivationService, { limits, uploads }: Guards): Router {
  const router = Router();
  const attemptOf = (req: express.Request) => activations.authorize(parseWith(activationParams, req.params).id, bearerToken(req.get('authorization')));
  const authorizeFirst: express.RequestHandler = async (req, _res, next) => {
    await attemptOf(req);
    next();
  };
  const attempt = (req: express.Request) => `attempt:${String(req.params.id)}`;

  // The pack's activation code, or the purchase's own order token as a bearer header.
  router.post('/activations', limits.per('activations'), async (req, res) => {
    res.status(201).json(await activations.start(parseWith(startActivationRequestSchema, req.body), bearerToken(req.get('authorization'))));
  });

  router.get('/activations/:id', async (req, res) => {
    res.json(await activations.status(await attemptOf(req)));
  });

  router.put('/activations/:id/card', limits.per('uploads'), authorizeFirst, uploads.guard(MAX_UPLOAD_BYTES, attempt), imageUpload, async (req, res) => {
    res.json(await activations.uploadCard(await attemptOf(req), uploadedFiles(req)[0] ?? Buffer.alloc(0)));
  });

  router.post('/activations/:id/liveness', limits.per('liveChecks'), async (req, res) => {
    res.status(201).json(await activations.startLiveness(await attemptOf(req)));
  });

  router.post('/activations/:id/liveness/:challengeId/frames', limits.per('liveChecks'), authorizeFirst, uploads.guard(MAX_FRAMES_BYTES, attempt), frameUpload, async (req, res) => {
    const row = await attemptOf(req);
    res.json(await activations.answerLiveness(row, parseWith(challengeParams, req.params).challengeId, uploadedFiles(req), timelineOf(req)));
  });

  router.post('/activations/:id/complete', async (req, res) => {
    res.json(await activations.complete(await attemptOf(req)));
  });

  return router;
}
