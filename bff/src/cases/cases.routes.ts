import { Router } from 'express';
import { z } from 'zod';
import { caseActionSchema, caseReference, openedInMyNameSchema, publicReportSchema } from '@shared';
import { clientOf } from '../http/client.js';
import type { Guards } from '../http/guards.js';
import { MAX_SCREENSHOT_BYTES, screenshotUpload, uploadedFiles } from '../http/upload.js';
import { bearerToken, parseWith } from '../http/validate.js';
import type { OrderService } from '../services/orderService.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { CaseService } from './caseService.js';

const checkParams = z.object({ id: z.uuid() });
const caseParams = z.object({ id: z.uuid() });
const screenshotParams = caseParams.extend({ n: z.coerce.number().int().min(0).max(2) });
const listQuery = z.object({ state: z.enum(['open', 'closed']).default('open') });
const statusRequest = z.object({ reference: caseReference }).strict();

/** Reports from the public: filed, and followed by their reference (in a body, never in an address). */
export function reportRoutes(cases: CaseService, orders: OrderService, { limits, uploads }: Guards): Router {
  const router = Router();

  router.post(
    '/reports',
    limits.per('reports'),
    uploads.guard(3 * MAX_SCREENSHOT_BYTES, (req) => `report:${clientOf(req)}`),
    screenshotUpload,
    async (req, res) => {
      const report = parseWith(publicReportSchema, req.body);
      res.status(201).set('cache-control', 'no-store').json(await cases.report(report, uploadedFiles(req, 'screenshots')));
    },
  );

  // "Opened in my name": the reporter proves who they are with the buyer's checks, on an order of its
  // own carried on with the buyer's endpoints; once it passed, its token lists their numbers and files.
  router.post('/reports/identity-checks', limits.per('reports'), async (_req, res) => {
    res.status(201).set('cache-control', 'no-store').json(await cases.startIdentityCheck());
  });

  router.get('/reports/identity-checks/:id/numbers', async (req, res) => {
    const row = await orders.authorize(parseWith(checkParams, req.params).id, bearerToken(req.get('authorization')));
    res.set('cache-control', 'no-store').json({ numbers: await cases.registeredNumbers(row) });
  });

  router.post('/reports/identity-checks/:id/report', limits.per('reports'), async (req, res) => {
    const row = await orders.authorize(parseWith(checkParams, req.params).id, bearerToken(req.get('authorization')));
    res.status(201).set('cache-control', 'no-store').json(await cases.openedInMyName(row, parseWith(openedInMyNameSchema, req.body)));
  });

  router.post('/reports/status', limits.per('reports'), async (req, res) => {
    res.set('cache-control', 'no-store').json(await cases.status(parseWith(statusRequest, req.body).reference));
  });

  return router;
}

/** The console's cases: the queue, one case (its opening recorded), its screenshots, and what is done on it. */
export function caseRoutes(cases: CaseService, guard: StaffGuard): Router {
  const router = Router();

  router.get('/console/cases', guard('cases.read'), async (req, res) => {
    res.set('cache-control', 'no-store').json({ cases: await cases.list(parseWith(listQuery, req.query).state) });
  });

  router.get('/console/cases/:id', guard('cases.read'), async (req, res) => {
    const detail = await cases.detail(parseWith(caseParams, req.params).id);
    await guard.record(res, 'case.view', detail.reference);
    res.set('cache-control', 'no-store').json(detail);
  });

  router.get('/console/cases/:id/screenshots/:n', guard('cases.read'), async (req, res) => {
    const { id, n } = parseWith(screenshotParams, req.params);
    const image = await cases.screenshot(id, n);
    await guard.record(res, 'case.screenshot', `${id} #${n}`);
    res.set({ 'Content-Type': 'image/jpeg', 'Cache-Control': 'no-store' }).send(image);
  });

  router.post('/console/cases/:id/actions', guard('cases.work'), async (req, res) => {
    const { id } = parseWith(caseParams, req.params);
    const action = parseWith(caseActionSchema, req.body);
    const detail = await cases.act(id, action, `staff:${staffOf(res).username}`);
    await guard.record(res, `case.${action.action}`, detail.reference);
    res.set('cache-control', 'no-store').json(detail);
  });

  return router;
}
