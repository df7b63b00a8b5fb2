import { Router } from 'express';
import { z } from 'zod';
import { closeAlertSchema } from '@shared';
import { parseWith } from '../http/validate.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { MonitoringService } from './monitoringService.js';

const listQuery = z.object({ status: z.enum(['open', 'all']).default('open') });
const alertParams = z.object({ id: z.uuid() });

/** The console's alerts: what the monitoring rules raised (read), and closing one once looked into. */
export function monitoringRoutes(monitoring: MonitoringService, guard: StaffGuard): Router {
  const router = Router();

  router.get('/console/alerts', guard('monitoring.read'), async (req, res) => {
    res.set('cache-control', 'no-store').json({ alerts: await monitoring.list(parseWith(listQuery, req.query).status) });
  });

  router.post('/console/alerts/:id/close', guard('monitoring.manage'), async (req, res) => {
    const { id } = parseWith(alertParams, req.params);
    const { note } = parseWith(closeAlertSchema, req.body);
    await monitoring.close(id, `staff:${staffOf(res).username}`);
    await guard.record(res, 'alert.close', `${id}: ${note}`);
    res.status(204).end();
  });

  return router;
}
