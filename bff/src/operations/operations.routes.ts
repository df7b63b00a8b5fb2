import { Router } from 'express';
import { z } from 'zod';
import { createCourierRequestSchema, requestReasonSchema } from '@shared';
import { parseWith } from '../http/validate.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { OperationsService } from './operationsService.js';

const keyParams = z.object({ key: z.uuid() });
const orderParams = z.object({ id: z.uuid() });
const courierParams = z.object({ id: z.string().min(1).max(64) });

/** The operations queues: failed provisioning jobs and couriers (operations), orders held for their agent (channel managers). */
export function operationsRoutes(operations: OperationsService, guard: StaffGuard): Router {
  const router = Router();
  const ops = guard('operations.manage');
  const channels = guard('channels.manage');

  router.get('/console/operations/jobs', ops, async (_req, res) => {
    res.json({ jobs: await operations.failedJobs() });
  });

  router.post('/console/operations/jobs/:key/retry', ops, async (req, res) => {
    const { key } = parseWith(keyParams, req.params);
    const { reason } = parseWith(requestReasonSchema, req.body);
    await operations.retryJob(key);
    await guard.record(res, 'provisioning.retry', `${key}: ${reason}`);
    res.status(204).end();
  });

  router.post('/console/operations/jobs/:key/cancel', ops, async (req, res) => {
    const { key } = parseWith(keyParams, req.params);
    const { reason } = parseWith(requestReasonSchema, req.body);
    await operations.cancelJob(key, reason, staffOf(res));
    await guard.record(res, 'provisioning.cancel', `${key}: ${reason}`);
    res.status(204).end();
  });

  router.get('/console/operations/held', channels, async (_req, res) => {
    res.json({ orders: await operations.heldOrders() });
  });

  router.post('/console/operations/held/:id/clear', channels, async (req, res) => {
    const { id } = parseWith(orderParams, req.params);
    const { reason } = parseWith(requestReasonSchema, req.body);
    await operations.clearHeld(id);
    await guard.record(res, 'held.clear', `${id}: ${reason}`);
    res.status(204).end();
  });

  router.post('/console/operations/held/:id/cancel', channels, async (req, res) => {
    const { id } = parseWith(orderParams, req.params);
    const { reason } = parseWith(requestReasonSchema, req.body);
    await operations.cancelHeld(id, reason, staffOf(res));
    await guard.record(res, 'held.cancel', `${id}: ${reason}`);
    res.status(204).end();
  });

  router.get('/console/couriers', ops, async (_req, res) => {
    res.json({ couriers: await operations.couriers() });
  });

  router.post('/console/couriers', ops, async (req, res) => {
    const made = await operations.addCourier(parseWith(createCourierRequestSchema, req.body));
    await guard.record(res, 'courier.add', `${made.courier.id} (${made.courier.company}, ${made.courier.role})`);
    res.status(201).json(made);
  });

  router.post('/console/couriers/:id/disable', ops, async (req, res) => {
    const { id } = parseWith(courierParams, req.params);
    await operations.disableCourier(id);
    await guard.record(res, 'courier.disable', id);
    res.status(204).end();
  });

  return router;
}
