import { Router } from 'express';
import { z } from 'zod';
import type { StaffGuard } from '../staff/staff.routes.js';
import { parseWith } from '../http/validate.js';
import type { AccessAudit } from './accessAudit.js';

const auditQuery = z.object({ subject: z.uuid().optional() });

/** The access audit, for auditors: the latest entries (of one order, if asked) and the chain's check. */
export function auditRoutes(audit: AccessAudit, guard: StaffGuard): Router {
  const router = Router();
  router.get('/console/audit', guard('audit.read'), async (req, res) => {
    const { subject } = parseWith(auditQuery, req.query);
    const [entries, chain] = await Promise.all([audit.latest(200, subject), audit.verify()]);
    res.json({ entries: entries.map(({ seq, at, staff, action, subject: of, reason }) => ({ seq, at, staff, action, subject: of, reason })), chain });
  });
  return router;
}
