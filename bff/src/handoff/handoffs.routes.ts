import { Router } from 'express';
import { z } from 'zod';
import { handoffClaimRequestSchema } from '@shared';
import { bearerToken, parseWith } from '../http/validate.js';
import type { Guards } from '../http/guards.js';
import type { OrderService } from '../services/orderService.js';
import type { HandoffService } from './handoffService.js';

const orderParams = z.object({ id: z.uuid() });
const handoffParams = orderParams.extend({ handoffId: z.uuid() });

/** Continuing an order on another device: the first device makes, follows and cancels; the phone claims and finishes. */
export function handoffRoutes(handoffs: HandoffService, orders: OrderService, { limits }: Guards): Router {
  const router = Router();
  const owner = (req: { params: unknown; get(name: string): string | undefined }) =>
    orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));

  router.post('/orders/:id/handoffs', async (req, res) => {
    res.status(201).json(await handoffs.create(await owner(req)));
  });

  router.get('/orders/:id/handoffs/:handoffId', async (req, res) => {
    const row = await owner(req);
    res.set('cache-control', 'no-store').json(await handoffs.progress(row, parseWith(handoffParams, req.params).handoffId));
  });

  router.delete('/orders/:id/handoffs/:handoffId', async (req, res) => {
    const row = await owner(req);
    res.json(await handoffs.cancel(row, parseWith(handoffParams, req.params).handoffId));
  });

  // Codes are guessed per network no faster than the limit allows: 50 bits, ten minutes each.
  router.post('/handoffs/claim', limits.per('handoffClaims'), async (req, res) => {
    res.json(await handoffs.claim(parseWith(handoffClaimRequestSchema, req.body).code));
  });

  router.post('/orders/:id/handoffs/:handoffId/finish', async (req, res) => {
    const { id, handoffId } = parseWith(handoffParams, req.params);
    res.json(await handoffs.finish(id, handoffId, bearerToken(req.get('authorization'))));
  });

  return router;
}
