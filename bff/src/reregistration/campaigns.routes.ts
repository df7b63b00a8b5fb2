import { Router } from 'express';
import { newCampaignSchema, reportPeriodSchema, subscriberBatchSchema } from '@shared';
import { clientOf } from '../http/client.js';
import type { Limits } from '../http/limits.js';
import { signIn } from '../http/limits.js';
import { bearerToken, parseWith } from '../http/validate.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { CampaignService } from './campaignService.js';

/**
 * The console's campaigns: their progress and the real-name rate (administrators, auditors), a new
 * one (administrators); and the live import port the operator's billing system pushes subscribers
 * to, with the operator's machine key.
 */
export function campaignRoutes(campaigns: CampaignService, guard: StaffGuard, operator: { limits: Limits; authorize(token: string | undefined): void }): Router {
  const router = Router();

  // Wrong keys are counted per network, as on the channel registry: guessing the key is slow.
  router.post('/operator/subscribers', async (req, res) => {
    await signIn(operator.limits, clientOf(req), () => operator.authorize(bearerToken(req.get('authorization'))));
    const { subscribers } = parseWith(subscriberBatchSchema, req.body);
    res.json(await campaigns.importBatch(subscribers));
  });
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
