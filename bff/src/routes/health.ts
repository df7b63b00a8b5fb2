import { Router } from 'express';
import type { Health } from '@shared';

export function healthRoutes(version: string): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    const body: Health = { status: 'ok', version, uptimeSeconds: Math.round(process.uptime()) };
    res.json(body);
  });
  return router;
}
