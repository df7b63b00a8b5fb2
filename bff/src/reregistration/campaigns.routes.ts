import { Router } from 'express';
import { newCampaignSchema, reportPeriodSchema } from '@shared';
import { parseWith } from '../http/validate.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { CampaignService } from './campaignService.js';

/** The console's campaigns: their progress and the real-name rate (administrators, auditors), a new one (administrators). */
export function campaignRoutes(campaigns: CampaignService, guard: StaffGuard): Router {
  const router = Router();
  const read = guard('campaigns.read');

  router.get('/console/campaigns', read, async (_req, res) => {
    res.json(await campaigns.overview());
  });

  router.post('/console/campaigns', guard('campaigns.manage'), async (req, res) => {
    const request = parseWith(newCampaignSchema, req.body);
    const { campaign, members } = await campaigns.createFromRequest(request, staffOf(res).username);
    await guard.record(res, 'campaign.create', `${campaign.id}: ${request.name} (${members} subscribers)`);
    res.status(201).json({ id: campaign.id, members });
  });

  // The regulator's figures for a half month, as a file (the period in the query: it names no person).
  router.get('/console/campaigns/report', read, async (req, res) => {
    const { period } = parseWith(reportPeriodSchema, req.query);
    const csv = await campaigns.report(period);
    await guard.record(res, 'campaign.report', period);
    res.type('text/csv; charset=utf-8').attachment(`real-name-${period}.csv`).send(`\uFEFF${csv}`);
  });

  return router;
}
