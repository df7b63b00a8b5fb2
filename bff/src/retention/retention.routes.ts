import { Router } from 'express';
import { z } from 'zod';
import { legalHoldRequestSchema, requestReasonSchema } from '@shared';
import { AppError } from '../errors.js';
import { bearerToken, parseLookup, parseWith } from '../http/validate.js';
import type { OrderService } from '../services/orderService.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { RetentionService } from './retentionService.js';

const orderParams = z.object({ id: z.uuid() });

/** The buyer's withdrawal of consent, buyers' requests handled by support, and legal holds. */
export function retentionRoutes(retention: RetentionService, orders: OrderService, guard: StaffGuard): Router {
  const router = Router();

  // Before submitting, the buyer may change their mind: the order closes and all it holds is deleted now.
  router.post('/orders/:id/withdrawal', async (req, res) => {
    const row = await orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));
    await orders.withdraw(row);
    await retention.purgeOrder(row.id);
    res.json(await orders.view(await orders.authorize(row.id, bearerToken(req.get('authorization')))));
  });

  const support = guard('requests.handle');
  router.post('/console/requests/find', support, async (req, res) => {
    const lookup = parseLookup(req.body);
    if (lookup.by === 'iccid') throw new AppError('validation_failed', 'find a buyer\'s orders by their number or their ID number', 400);
    const found = await retention.findOrders(lookup.by, lookup.value, lookup.reason, staffOf(res));
    await guard.record(res, 'request.find', `${lookup.by}: ${found.length} found`);
    res.json({ orders: found });
  });

  router.post('/console/requests/:id/access', support, async (req, res) => {
    const { id } = parseWith(orderParams, req.params);
    const { reason } = parseWith(requestReasonSchema, req.body);
    const data = await retention.access(id, reason, staffOf(res));
    await guard.record(res, 'request.access', id);
    res.json(data);
  });

  router.post('/console/requests/:id/deletion', support, async (req, res) => {
    const { id } = parseWith(orderParams, req.params);
    const { reason } = parseWith(requestReasonSchema, req.body);
    const held = await retention.erase(id, reason, staffOf(res));
    await guard.record(res, 'request.deletion', id);
    res.json(held);
  });

  const operations = guard('operations.manage');
  router.get('/console/holds', operations, async (_req, res) => {
    res.json({ holds: await retention.holds() });
  });

  router.post('/console/holds', operations, async (req, res) => {
    const { orderId, reason } = parseWith(legalHoldRequestSchema, req.body);
    await retention.setHold(orderId, reason, staffOf(res));
    await guard.record(res, 'legal_hold.set', orderId);
    res.status(201).json({ orderId });
  });

  router.post('/console/holds/:id/lift', operations, async (req, res) => {
    const { id } = parseWith(orderParams, req.params);
    const { reason } = parseWith(requestReasonSchema, req.body);
    await retention.liftHold(id, reason, staffOf(res));
    await guard.record(res, 'legal_hold.lift', id);
    res.status(204).end();
  });

  return router;
}
