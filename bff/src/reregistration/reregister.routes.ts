import { Router } from 'express';
import { numberCodeRequestSchema, numberConfirmRequestSchema } from '@shared';
import type { Guards } from '../http/guards.js';
import { bearerToken, parseWith } from '../http/validate.js';
import type { NumberProofService } from './numberProofService.js';
import type { ReregistrationService } from './reregistrationService.js';

/** The online channel of re-registration: proving the number is held (a code sent to it), then the session it opens. */
export function reregisterRoutes(proofs: NumberProofService, reregistrations: ReregistrationService, { limits }: Guards): Router {
  const router = Router();

  // Codes sent from a network, and tries at them, are limited: six digits, five tries each, five minutes.
  router.post('/reregister/code', limits.per('numberCodes'), async (req, res) => {
    res.status(202).json(await proofs.sendCode(parseWith(numberCodeRequestSchema, req.body).msisdn));
  });

  router.post('/reregister/confirm', limits.per('numberCodes'), async (req, res) => {
    const { msisdn, code } = parseWith(numberConfirmRequestSchema, req.body);
    res.set('cache-control', 'no-store').json(await proofs.confirm(msisdn, code));
  });

  router.get('/reregister/session', async (req, res) => {
    res.set('cache-control', 'no-store').json(await proofs.session(bearerToken(req.get('authorization'))));
  });

  // The identity check for the number the session proves: an order of its own, carried on with the
  // buyer's endpoints and its own token (the session token opens nothing else).
  router.post('/reregister/orders', limits.per('orders'), async (req, res) => {
    res.status(201).set('cache-control', 'no-store').json(await reregistrations.start(bearerToken(req.get('authorization'))));
  });

  return router;
}
