import { Router } from 'express';
import { z } from 'zod';
import { closeAlertSchema, dashboardQuerySchema } from '@shared';
import { parseWith } from '../http/validate.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { MonitoringService } from './monitoringService.js';
import type { DashboardService } from './dashboardService.js';

const listQuery = z.object({ status: z.enum(['open', 'all']).default('open') });
const alertParams = z.object({ id: z.uuid() });

/** The console's alerts: what the monitoring rules raised (read), and closing one once looked into; the dashboard. */
export function monitoringRoutes(monitoring: MonitoringService, dashboard: DashboardService, guard: StaffGuard): Router {
  const router = Router();

  router.get('/console/dashboard', guard('monitoring.read'), async (req, res) => {
    res.set('cache-control', 'no-store').json(await dashboard.dashboard(parseWith(dashboardQuerySchema, req.query)));
  });

  router.get('/console/dashboard.csv', guard('monitoring.read'), async (req, res) => {
    const query = parseWith(dashboardQuerySchema, req.query);
    const file = await dashboard.csv(query);
    await guard.record(res, 'dashboard.export', `${query.from}..${query.to} ${query.channel ?? 'all'}`);
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="dashboard-${query.from}-${query.to}.csv"`, 'Cache-Control': 'no-store' }).send(file);
  });

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
