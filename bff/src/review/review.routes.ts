import { Router } from 'express';
import { z } from 'zod';
import { REVIEW_EVIDENCE, reviewCorrectionRequestSchema, reviewDecisionRequestSchema } from '@shared';
import { parseWith } from '../http/validate.js';
import { type StaffGuard, staffOf } from '../staff/staff.routes.js';
import type { ReviewService } from './reviewService.js';

const orderParams = z.object({ id: z.uuid() });
const evidenceParams = z.object({ id: z.uuid(), kind: z.enum(REVIEW_EVIDENCE) });

/** The reviewers' workbench: the queue, a case, its photos, a reading corrected, the decision. */
export function reviewRoutes(reviews: ReviewService, guard: StaffGuard): Router {
  const router = Router();
  const reviewer = guard('review.decide');

  router.get('/console/reviews', reviewer, async (_req, res) => {
    res.json({ reviews: await reviews.queue() });
  });

  router.get('/console/reviews/:id', reviewer, async (req, res) => {
    res.json(await reviews.openCase(parseWith(orderParams, req.params).id, staffOf(res), 'review'));
  });

  router.get('/console/reviews/:id/evidence/:kind', reviewer, async (req, res) => {
    const { id, kind } = parseWith(evidenceParams, req.params);
    const image = await reviews.evidence(id, kind, staffOf(res));
    res.set({ 'Content-Type': 'image/jpeg', 'Content-Disposition': 'inline', 'Cache-Control': 'no-store' }).send(image);
  });

  router.post('/console/reviews/:id/decision', reviewer, async (req, res) => {
    const { id } = parseWith(orderParams, req.params);
    const request = parseWith(reviewDecisionRequestSchema, req.body);
    const result = await reviews.decide(id, request, staffOf(res));
    await guard.record(res, result.status === 'decided' ? `review.${request.outcome}` : 'review.propose', `${id}: ${request.reason}`);
    res.json(result);
  });

  router.post('/console/reviews/:id/correction', reviewer, async (req, res) => {
    const { id } = parseWith(orderParams, req.params);
    const request = parseWith(reviewCorrectionRequestSchema, req.body);
    const opened = await reviews.correct(id, request, staffOf(res));
    await guard.record(res, 'review.correct', `${id}: ${request.field}`);
    res.json(opened);
  });

  return router;
}
