import { Router } from 'express';
import type { Health, Readiness } from '@shared';

/**
 * `/health`: the process answers (liveness). `/health/ready`: it can take work: the database takes a
 * write, DATA_DIR has room, a vision thread answers (503 with the failing checks otherwise).
 */
export function healthRoutes(version: string, readiness: () => Promise<Readiness>): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    const body: Health = { status: 'ok', version, uptimeSeconds: Math.round(process.uptime()) };
    res.json(body);
  });
  router.get('/health/ready', async (_req, res) => {
    const body = await readiness();
    res.status(body.status === 'ready' ? 200 : 503).json(body);
  });
  return router;
}
