import { Router } from 'express';
import { z } from 'zod';
import { contactConfirmSchema, contactRequestSchema } from '@shared';
import { AppError } from '../errors.js';
import { bearerToken, parseWith } from '../http/validate.js';
import type { Guards } from '../http/guards.js';
import type { SandboxNotifier } from '../providers/notifier/sandbox.notifier.js';
import type { OrderService } from '../services/orderService.js';
import type { NoticeService } from './noticeService.js';

const orderParams = z.object({ id: z.uuid() });

/** The buyer's number for notices, and (sandbox only) the SMS centre's inbox QA reads. */
export function noticeRoutes(notices: NoticeService, orders: OrderService, { limits }: Guards, inbox: SandboxNotifier | undefined): Router {
  const router = Router();
  const authorized = (req: { params: unknown; get(name: string): string | undefined }) =>
    orders.authorize(parseWith(orderParams, req.params).id, bearerToken(req.get('authorization')));

  // A code costs an SMS: the per-network limit of holds applies too.
  router.post('/orders/:id/contact', limits.per('holds'), async (req, res) => {
    const row = await authorized(req);
    res.status(202).json(await notices.requestCode(row, parseWith(contactRequestSchema, req.body).mobile));
  });

  router.post('/orders/:id/contact/confirm', async (req, res) => {
    const row = await authorized(req);
    res.json(await notices.confirm(row, parseWith(contactConfirmSchema, req.body).code));
  });

  router.delete('/orders/:id/contact', async (req, res) => {
    await notices.remove(await authorized(req));
    res.status(204).end();
  });

  router.get('/sandbox/sms', (_req, res) => {
    if (!inbox) throw new AppError('not_found', 'no such endpoint: the SMS inbox is the sandbox\'s', 404);
    res.json({ messages: inbox.inbox() });
  });

  return router;
}
