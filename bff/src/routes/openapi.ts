import { Router } from 'express';
import { z } from 'zod';
import { type ZodOpenApiResponsesObject, createDocument } from 'zod-openapi';
import {
  caseActionSchema,
  caseDetailSchema,
  caseReference,
  caseSummarySchema,
  filedReportSchema,
  openedInMyNameSchema,
  publicReportSchema,
  registeredNumberSchema,
  reportStatusSchema,
  EVIDENCE_KINDS,
  MVNO_PREFIXES,
  availableNumbersSchema,
  consentRequestSchema,
  createOrderRequestSchema,
  createdOrderSchema,
  errorBodySchema,
  evidenceResultSchema,
  healthSchema,
  readinessSchema,
  environmentSchema,
  holdRequestSchema,
  holdSchema,
  livenessChallengeSchema,
  livenessResultSchema,
  orderViewSchema,
  submitRequestSchema,
  activationCardResultSchema,
  activationResultSchema,
  activationSessionSchema,
  courierDeliverySchema,
  courierProfileSchema,
  handoverResultSchema,
  livenessVerdictSchema,
  refuseRequestSchema,
  startActivationRequestSchema,
  agentMarkSchema,
  channelOrderSchema,
  channelSchema,
  createChannelRequestSchema,
  createdChannelSchema,
  markVerificationSchema,
  publicAgentSchema,
  updateChannelRequestSchema,
  webhookDeliverySchema,
  type StaffPermission,
  createStaffRequestSchema,
  enrolmentFinishSchema,
  enrolmentSchema,
  enrolmentStartSchema,
  signInRequestSchema,
  staffAccountSchema,
  staffActionSchema,
  staffCredentialsSchema,
  staffSessionSchema,
  updateStaffRequestSchema,
  REVIEW_EVIDENCE,
  reviewCaseSchema,
  reviewCorrectionRequestSchema,
  reviewDecisionRequestSchema,
  reviewDecisionResultSchema,
  reviewQueueItemSchema,
  REGISTRATION_EVIDENCE,
  heldOrderSchema,
  legalHoldRequestSchema,
  legalHoldSchema,
  lookupRequestSchema,
  registrationRecordSchema,
  requestReasonSchema,
  courierAccountSchema,
  createCourierRequestSchema,
  failedJobSchema,
  heldAgentOrderSchema,
  contactConfirmSchema,
  claimedHandoffSchema,
  createdHandoffSchema,
  handoffClaimRequestSchema,
  handoffProgressSchema,
  handoffSchema,
  contactRequestSchema,
  contactViewSchema,
  sandboxSmsSchema,
  campaignsOverviewSchema,
  subscriberBatchSchema,
  subscriberImportReportSchema,
  numberCodeRequestSchema,
  numberConfirmRequestSchema,
  numberSessionSchema,
  newCampaignSchema,
  reportPeriodSchema,
} from '@shared';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const errors = (...statuses: number[]): ZodOpenApiResponsesObject =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: 'error', ...json(errorBodySchema) }]));
const orderId = z.object({ id: z.uuid() });
const secured = [{ orderToken: [] }];
/** The order's token, or the token a phone got for it by a hand-off. */
const securedOrDevice: Record<string, string[]>[] = [{ orderToken: [] }, { handoffDeviceToken: [] }];
const handoffId = orderId.extend({ handoffId: z.uuid() });
const courier = [{ courierAccessCode: [] }];
/** A console route: a staff session whose roles grant the permission (x-permission), or the operator's machine key. */
const staffOnly = (permission: StaffPermission, machineKey = false) => ({
  security: [{ staffSession: [] }, ...(machineKey ? [{ operatorToken: [] }] : [])] as Record<string, string[]>[],
  'x-permission': permission,
});
const staffId = z.object({ id: z.uuid() });
const channelId = z.object({ id: z.uuid() });
const attempt = [{ activationToken: [] }];
const tracking = z.object({ tracking: z.string() });
const binary = z.string().meta({ format: 'binary' });

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApi(version: string): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'SIM real-name verification BFF', version },
    components: {
      securitySchemes: {
        orderToken: { type: 'http', scheme: 'bearer', description: 'The orderToken returned when the order was created' },
        courierAccessCode: { type: 'http', scheme: 'bearer', description: 'A courier\'s access code (their company\'s deliveries only)' },
        activationToken: { type: 'http', scheme: 'bearer', description: 'The activationToken returned when an activation attempt started' },
        operatorToken: { type: 'http', scheme: 'bearer', description: 'The operator\'s machine key for scripts (OPERATOR_TOKEN, or DATA_DIR/operator.token): the channel registry and the subscriber import only' },
        staffSession: {
          type: 'apiKey', in: 'cookie', name: 'sim_staff',
          description: 'A console session (signed in with password and TOTP code; __Host-sim_staff in production). Every change also sends the session\'s X-CSRF-Token.',
        },
        channelApiKey: { type: 'http', scheme: 'bearer', description: 'An agent\'s API key, returned once when the agent was registered' },
        handoffDeviceToken: { type: 'http', scheme: 'bearer', description: 'The deviceToken a phone got by claiming a hand-off: the order\'s view, photos and live check only, while the hand-off is open' },
      },
    },
    paths: {
      '/api/health': { get: { summary: 'Liveness: the process answers', responses: { '200': { description: 'ok', ...json(healthSchema) } } } },
      '/api/health/ready': {
        get: {
          summary: 'Readiness: the database takes a write, DATA_DIR has room, a vision thread answers',
          responses: { '200': { description: 'ready', ...json(readinessSchema) }, '503': { description: 'not ready, with the failing checks', ...json(readinessSchema) } },
        },
      },
      '/api/environment': { get: { summary: 'Sandbox or production, and the operator\'s name: what every page says of itself', responses: { '200': { description: 'ok', ...json(environmentSchema) } } } },
      '/api/numbers': {
        get: {
          summary: 'Numbers available to choose',
          requestParams: { query: z.object({ prefix: z.enum(MVNO_PREFIXES).optional(), limit: z.number().int().min(1).max(50).optional() }) },
          responses: { '200': { description: 'numbers', ...json(availableNumbersSchema) }, ...errors(400) },
        },
      },
      '/api/holds': {
        post: {
          summary: 'Hold a number for a limited time',
          requestBody: json(holdRequestSchema),
          responses: { '201': { description: 'held', ...json(holdSchema) }, ...errors(400, 409) },
        },
      },
      '/api/orders': {
        post: {
          summary: 'Create an order on a held number',
          requestBody: json(createOrderRequestSchema),
          responses: { '201': { description: 'created', ...json(createdOrderSchema) }, ...errors(400, 404, 410) },
        },
      },
      '/api/orders/{id}': {
        get: {
          summary: 'An order, its evidence, what was read and the decision',
          security: securedOrDevice,
          requestParams: { path: orderId },
          responses: { '200': { description: 'the order', ...json(orderViewSchema) }, ...errors(404) },
        },
      },
      '/api/orders/{id}/consent': {
        post: {
          summary: 'Separate consent to processing identity and face data',
          security: secured,
          requestParams: { path: orderId },
          requestBody: json(consentRequestSchema),
          responses: { '200': { description: 'recorded', ...json(orderViewSchema) }, ...errors(400, 404, 409) },
        },
      },
      '/api/orders/{id}/evidence/{kind}': {
        put: {
          summary: 'Upload a card side or the hand-held photo (multipart field "image")',
          security: securedOrDevice,
          requestParams: { path: orderId.extend({ kind: z.enum(EVIDENCE_KINDS) }) },
          requestBody: { content: { 'multipart/form-data': { schema: z.object({ image: z.string().meta({ format: 'binary' }) }) } } },
          responses: { '200': { description: 'stored; card sides come back read', ...json(evidenceResultSchema) }, ...errors(400, 404, 409, 413, 415, 422) },
        },
      },
      '/api/orders/{id}/liveness': {
        post: {
          summary: 'Start a live camera check: a random challenge of two or three actions, answered once before it expires',
          security: securedOrDevice,
          requestParams: { path: orderId },
          responses: { '201': { description: 'the challenge', ...json(livenessChallengeSchema) }, ...errors(404, 409, 429) },
        },
      },
      '/api/orders/{id}/liveness/{challengeId}/frames': {
        post: {
          summary: 'Answer a challenge with the frames taken while following it (multipart field "frames", in order)',
          security: securedOrDevice,
          requestParams: { path: orderId.extend({ challengeId: z.uuid() }) },
          requestBody: { content: { 'multipart/form-data': { schema: z.object({ frames: z.array(z.string().meta({ format: 'binary' })) }) } } },
          responses: { '200': { description: 'the verdict on those frames', ...json(livenessResultSchema) }, ...errors(400, 404, 409, 410, 413, 415, 422) },
        },
      },
      '/api/orders/{id}/submit': {
        post: {
          summary: 'Submit for verification (idempotent)',
          security: secured,
          requestParams: { path: orderId },
          requestBody: json(submitRequestSchema),
          responses: {
            '202': { description: 'verification started', ...json(orderViewSchema) },
            '200': { description: 'already submitted: the order as it is', ...json(orderViewSchema) },
            ...errors(400, 404, 409, 410),
          },
        },
      },
      '/api/courier/me': {
        get: { summary: 'The courier the access code belongs to', security: courier, responses: { '200': { description: 'courier', ...json(courierProfileSchema) }, ...errors(401) } },
      },
      '/api/courier/deliveries/{tracking}': {
        get: {
          summary: 'A delivery of the courier\'s company, still open: masked name, last digits of the ID number, the number delivered',
          security: courier,
          requestParams: { path: tracking },
          responses: { '200': { description: 'the delivery', ...json(courierDeliverySchema) }, ...errors(401, 404, 410) },
        },
      },
      '/api/courier/deliveries/{tracking}/handover': {
        post: {
          summary: 'The check at the door: hand-over code, photos of the original ID card ("card") and of the recipient ("face"), the courier\'s confirmation, the device\'s time',
          security: courier,
          requestParams: { path: tracking },
          requestBody: {
            content: {
              'multipart/form-data': {
                schema: z.object({ code: z.string(), confirmed: z.enum(['true', 'false']), deviceTime: z.string().optional(), card: binary, face: binary }),
              },
            },
          },
          responses: { '200': { description: 'handed over, refused, or retake', ...json(handoverResultSchema) }, ...errors(400, 401, 403, 404, 409, 410, 413, 415, 422, 423, 429, 503) },
        },
      },
      '/api/courier/deliveries/{tracking}/refusal': {
        post: {
          summary: 'The recipient refused, or had no ID card: the card goes back (with the hand-over code, or a supervisor\'s access code)',
          security: courier,
          requestParams: { path: tracking },
          requestBody: json(refuseRequestSchema),
          responses: { '200': { description: 'refused', ...json(handoverResultSchema) }, ...errors(400, 401, 403, 404, 410, 423, 429) },
        },
      },
      '/api/logistics/events': {
        post: {
          summary: 'The carrier\'s status webhook, signed: X-Logistics-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">',
          requestBody: json(z.object({ trackingNumber: z.string(), event: z.enum(['out_for_delivery', 'delivered', 'returned']) })),
          responses: { '200': { description: 'applied', ...json(z.object({ trackingNumber: z.string(), status: z.string() })) }, ...errors(400, 401, 404, 409) },
        },
      },
      '/api/operator/channels': {
        get: { summary: 'The registered agents', ...staffOnly('channels.manage', true), responses: { '200': { description: 'agents', ...json(z.object({ channels: z.array(channelSchema) })) }, ...errors(401) } },
        post: {
          summary: 'Register an agent; its webhook secret and API key are returned this once',
          ...staffOnly('channels.manage', true),
          requestBody: json(createChannelRequestSchema),
          responses: { '201': { description: 'registered', ...json(createdChannelSchema) }, ...errors(400, 401, 409) },
        },
      },
      '/api/operator/channels/{id}': {
        patch: {
          summary: 'Change an agent: details, sites, webhook, status (suspending or blacklisting flags its open orders)',
          ...staffOnly('channels.manage', true),
          requestParams: { path: channelId },
          requestBody: json(updateChannelRequestSchema),
          responses: { '200': { description: 'changed', ...json(channelSchema) }, ...errors(400, 401, 404, 409) },
        },
      },
      '/api/operator/channels/{id}/deliveries': {
        get: {
          summary: 'The agent\'s webhook delivery log, newest first',
          ...staffOnly('channels.manage', true),
          requestParams: { path: channelId },
          responses: { '200': { description: 'deliveries', ...json(z.object({ deliveries: z.array(webhookDeliverySchema) })) }, ...errors(401, 404) },
        },
      },
      '/api/staff/session': {
        post: {
          summary: 'Sign in to the console: username, password and the authenticator\'s code; sets the session cookie',
          requestBody: json(signInRequestSchema),
          responses: { '201': { description: 'signed in', ...json(staffSessionSchema) }, ...errors(400, 401, 403, 423, 429) },
        },
        get: { summary: 'The session: who, their permissions, its CSRF token', security: [{ staffSession: [] }], responses: { '200': { description: 'signed in', ...json(staffSessionSchema) }, ...errors(401) } },
        delete: { summary: 'Sign out', security: [{ staffSession: [] }], responses: { '204': { description: 'signed out' }, ...errors(401, 403) } },
      },
      '/api/staff/enrolment': {
        post: {
          summary: 'First sign-in with a one-time password: a new authenticator secret and a ticket to finish with',
          requestBody: json(enrolmentStartSchema),
          responses: { '201': { description: 'enrolment started', ...json(enrolmentSchema) }, ...errors(400, 401, 423, 429) },
        },
      },
      '/api/staff/enrolment/finish': {
        post: {
          summary: 'Finish enrolment: the person\'s own password and the authenticator\'s first code; sets the session cookie',
          requestBody: json(enrolmentFinishSchema),
          responses: { '201': { description: 'signed in', ...json(staffSessionSchema) }, ...errors(400, 401, 429) },
        },
      },
      '/api/console/staff': {
        get: { summary: 'Staff accounts', ...staffOnly('staff.manage'), responses: { '200': { description: 'accounts', ...json(z.object({ accounts: z.array(staffAccountSchema) })) }, ...errors(401, 403) } },
        post: {
          summary: 'Add an account; its one-time password is returned this once',
          ...staffOnly('staff.manage'),
          requestBody: json(createStaffRequestSchema),
          responses: { '201': { description: 'added', ...json(staffCredentialsSchema) }, ...errors(400, 401, 403, 409) },
        },
      },
      '/api/console/staff/{id}': {
        patch: {
          summary: 'Change an account\'s roles, or disable it (its sessions end)',
          ...staffOnly('staff.manage'),
          requestParams: { path: staffId },
          requestBody: json(updateStaffRequestSchema),
          responses: { '200': { description: 'changed', ...json(staffAccountSchema) }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/console/staff/{id}/reset': {
        post: {
          summary: 'A new one-time password: the authenticator is enrolled again, sessions end, a lock is lifted',
          ...staffOnly('staff.manage'),
          requestParams: { path: staffId },
          responses: { '200': { description: 'reset', ...json(staffCredentialsSchema) }, ...errors(401, 403, 404) },
        },
      },
      '/api/console/actions': {
        get: {
          summary: 'What staff did, newest first (100 at a time; before: the id to continue from)',
          ...staffOnly('audit.read'),
          requestParams: { query: z.object({ before: z.number().int().positive().optional() }) },
          responses: { '200': { description: 'actions', ...json(z.object({ actions: z.array(staffActionSchema) })) }, ...errors(401, 403) },
        },
      },
      '/api/console/reviews': {
        get: { summary: 'Orders in review, oldest first: reasons, age, deadline, a pending second review', ...staffOnly('review.decide'), responses: { '200': { description: 'the queue', ...json(z.object({ reviews: z.array(reviewQueueItemSchema) })) }, ...errors(401, 403) } },
      },
      '/api/console/reviews/{id}': {
        get: {
          summary: 'An order\'s whole case: fields read, every check\'s score, the ID service\'s exact answer, its photos, its history (recorded in the access audit)',
          ...staffOnly('review.decide'),
          requestParams: { path: orderId },
          responses: { '200': { description: 'the case', ...json(reviewCaseSchema) }, ...errors(401, 403, 404) },
        },
      },
      '/api/console/reviews/{id}/evidence/{kind}': {
        get: {
          summary: 'One photo of the case (recorded in the access audit)',
          ...staffOnly('review.decide'),
          requestParams: { path: z.object({ id: z.uuid(), kind: z.enum(REVIEW_EVIDENCE) }) },
          responses: { '200': { description: 'the photo', content: { 'image/jpeg': { schema: binary } } }, ...errors(401, 403, 404) },
        },
      },
      '/api/console/reviews/{id}/decision': {
        post: {
          summary: 'Approve or reject, with a reason; approving over a doubt about the person takes a second reviewer',
          ...staffOnly('review.decide'),
          requestParams: { path: orderId },
          requestBody: json(reviewDecisionRequestSchema),
          responses: { '200': { description: 'decided, or waiting for a second reviewer', ...json(reviewDecisionResultSchema) }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/console/reviews/{id}/correction': {
        post: {
          summary: 'Correct a name, address or issuing authority the reader doubted, to what the card shows; the order is checked again with it',
          ...staffOnly('review.decide'),
          requestParams: { path: orderId },
          requestBody: json(reviewCorrectionRequestSchema),
          responses: { '200': { description: 'the case, checked again', ...json(reviewCaseSchema) }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/console/audit': {
        get: {
          summary: 'The access audit: who opened whose identity data and why (the latest 200, or one order\'s), and the check of its hash chain',
          ...staffOnly('audit.read'),
          requestParams: { query: z.object({ subject: z.uuid().optional() }) },
          responses: { '200': { description: 'entries and the chain check', ...json(z.object({ entries: z.array(z.object({ seq: z.number(), at: z.number(), staff: z.string(), action: z.string(), subject: z.string(), reason: z.string() })), chain: z.object({ ok: z.boolean(), entries: z.number(), brokenAt: z.number().optional() }) })) }, ...errors(401, 403) },
        },
      },
      '/api/console/registrations/lookup': {
        post: {
          summary: 'Registration records by number, ICCID or ID number (by its keyed hash), each whole; the look-up and its reason go into the access audit',
          ...staffOnly('registrations.read'),
          requestBody: json(lookupRequestSchema),
          responses: { '200': { description: 'the records found (none: an empty list)', ...json(z.object({ registrations: z.array(registrationRecordSchema) })) }, ...errors(400, 401, 403) },
        },
      },
      '/api/console/registrations/{id}/evidence/{kind}': {
        get: {
          summary: 'One photo of a registration (recorded in the access audit)',
          ...staffOnly('registrations.read'),
          requestParams: { path: z.object({ id: z.uuid(), kind: z.enum(REGISTRATION_EVIDENCE) }) },
          responses: { '200': { description: 'the photo', content: { 'image/jpeg': { schema: binary } } }, ...errors(401, 403, 404) },
        },
      },
      '/api/console/registrations/{id}/service-end': {
        post: {
          summary: 'The number\'s service ended: the record\'s retention starts counting',
          ...staffOnly('operations.manage'),
          requestParams: { path: orderId },
          requestBody: json(requestReasonSchema),
          responses: { '204': { description: 'recorded' }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/console/requests/find': {
        post: {
          summary: 'A buyer\'s orders, by their number or ID number, with what each holds and when it goes (for an access or deletion request; audited)',
          ...staffOnly('requests.handle'),
          requestBody: json(lookupRequestSchema),
          responses: { '200': { description: 'the orders', ...json(z.object({ orders: z.array(heldOrderSchema) })) }, ...errors(400, 401, 403) },
        },
      },
      '/api/console/requests/{id}/access': {
        post: {
          summary: 'A buyer\'s access request: everything held of the order (audited)',
          ...staffOnly('requests.handle'),
          requestParams: { path: orderId },
          requestBody: json(requestReasonSchema),
          responses: { '200': { description: 'what is held', ...json(z.record(z.string(), z.unknown())) }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/console/requests/{id}/deletion': {
        post: {
          summary: 'A buyer\'s deletion request: granted unless a registration, a legal hold or an order in progress requires the data kept (audited either way)',
          ...staffOnly('requests.handle'),
          requestParams: { path: orderId },
          requestBody: json(requestReasonSchema),
          responses: { '200': { description: 'deleted: what is held now', ...json(heldOrderSchema) }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/console/holds': {
        get: { summary: 'Orders under a legal hold', ...staffOnly('operations.manage'), responses: { '200': { description: 'holds', ...json(z.object({ holds: z.array(legalHoldSchema) })) }, ...errors(401, 403) } },
        post: {
          summary: 'A legal hold: nothing of the order is deleted until it is lifted',
          ...staffOnly('operations.manage'),
          requestBody: json(legalHoldRequestSchema),
          responses: { '201': { description: 'held', ...json(z.object({ orderId: z.string() })) }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/console/holds/{id}/lift': {
        post: {
          summary: 'Lifts a legal hold (the retention schedule applies again)',
          ...staffOnly('operations.manage'),
          requestParams: { path: orderId },
          requestBody: json(requestReasonSchema),
          responses: { '204': { description: 'lifted' }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/console/operations/jobs': {
        get: { summary: 'Provisioning requests the provisioning system refused for good, whose order still waits for its service', ...staffOnly('operations.manage'), responses: { '200': { description: 'failed jobs', ...json(z.object({ jobs: z.array(failedJobSchema) })) }, ...errors(401, 403) } },
      },
      '/api/console/operations/jobs/{key}/retry': {
        post: {
          summary: 'Sends a failed provisioning request again, under its idempotency key',
          ...staffOnly('operations.manage'),
          requestParams: { path: z.object({ key: z.uuid() }) },
          requestBody: json(requestReasonSchema),
          responses: { '204': { description: 'queued' }, ...errors(400, 401, 403, 409) },
        },
      },
      '/api/console/operations/jobs/{key}/cancel': {
        post: {
          summary: 'Gives an activation up: the order is returned, its number and card released',
          ...staffOnly('operations.manage'),
          requestParams: { path: z.object({ key: z.uuid() }) },
          requestBody: json(requestReasonSchema),
          responses: { '204': { description: 'given up' }, ...errors(400, 401, 403, 409) },
        },
      },
      '/api/console/operations/held': {
        get: { summary: 'Orders of an agent that stopped selling, held before shipping', ...staffOnly('channels.manage'), responses: { '200': { description: 'held orders', ...json(z.object({ orders: z.array(heldAgentOrderSchema) })) }, ...errors(401, 403) } },
      },
      '/api/console/operations/held/{id}/clear': {
        post: {
          summary: 'Lets a held order go ahead (an approved one ships now)',
          ...staffOnly('channels.manage'),
          requestParams: { path: orderId },
          requestBody: json(requestReasonSchema),
          responses: { '204': { description: 'cleared' }, ...errors(400, 401, 403, 404) },
        },
      },
      '/api/console/operations/held/{id}/cancel': {
        post: {
          summary: 'Cancels a held order once it is decided (channel_cancelled): its number is released, nothing ships',
          ...staffOnly('channels.manage'),
          requestParams: { path: orderId },
          requestBody: json(requestReasonSchema),
          responses: { '204': { description: 'cancelled' }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/console/couriers': {
        get: { summary: 'Couriers and supervisors who may open deliveries', ...staffOnly('operations.manage'), responses: { '200': { description: 'couriers', ...json(z.object({ couriers: z.array(courierAccountSchema) })) }, ...errors(401, 403) } },
        post: {
          summary: 'Adds a courier; the access code is in this answer only (its hash is kept)',
          ...staffOnly('operations.manage'),
          requestBody: json(createCourierRequestSchema),
          responses: { '201': { description: 'added', ...json(z.object({ courier: courierAccountSchema, accessCode: z.string() })) }, ...errors(400, 401, 403) },
        },
      },
      '/api/console/couriers/{id}/disable': {
        post: {
          summary: 'Disables a courier: their access code opens nothing from now on',
          ...staffOnly('operations.manage'),
          requestParams: { path: z.object({ id: z.string() }) },
          responses: { '204': { description: 'disabled' }, ...errors(401, 403, 404) },
        },
      },
      '/api/orders/{id}/handoffs': {
        post: {
          summary: 'Go on with the order on another device (a phone): a one-time code, good for ten minutes, shown once as a QR code and a link; an earlier hand-off still open is cancelled',
          security: secured,
          requestParams: { path: orderId },
          responses: { '201': { description: 'made', ...json(createdHandoffSchema) }, ...errors(404, 409) },
        },
      },
      '/api/orders/{id}/handoffs/{handoffId}': {
        get: {
          summary: 'What the first device follows: the hand-off (waiting, claimed, finished, cancelled, expired) and the order as the phone has left it',
          security: secured,
          requestParams: { path: handoffId },
          responses: { '200': { description: 'progress', ...json(handoffProgressSchema) }, ...errors(404) },
        },
        delete: {
          summary: 'The first device takes the order back: the code, or the phone\'s token, opens nothing from now on',
          security: secured,
          requestParams: { path: handoffId },
          responses: { '200': { description: 'cancelled', ...json(handoffSchema) }, ...errors(404) },
        },
      },
      '/api/handoffs/claim': {
        post: {
          summary: 'The phone takes a hand-off code: once, before it runs out. It gets a token of its own for the order\'s photos, live check and view (never the order\'s token), good for thirty minutes',
          requestBody: json(handoffClaimRequestSchema),
          responses: { '200': { description: 'claimed', ...json(claimedHandoffSchema) }, ...errors(400, 404, 409, 410, 429) },
        },
      },
      '/api/orders/{id}/handoffs/{handoffId}/finish': {
        post: {
          summary: 'The phone is done (as the phone says, or the first device that saw every step done): the first device goes on, and the phone\'s token opens nothing from now on',
          security: securedOrDevice,
          requestParams: { path: handoffId },
          responses: { '200': { description: 'finished', ...json(handoffSchema) }, ...errors(404) },
        },
      },
      '/api/orders/{id}/contact': {
        post: {
          summary: 'The buyer leaves a mobile number for notices: a six-digit code is sent to it by SMS (one a minute); the number is kept, sealed, once the code went out',
          security: secured,
          requestParams: { path: orderId },
          requestBody: json(contactRequestSchema),
          responses: { '202': { description: 'code sent', ...json(contactViewSchema) }, ...errors(400, 404, 409, 429, 503) },
        },
        delete: { summary: 'The buyer takes the number back: no more messages, nothing kept', security: secured, requestParams: { path: orderId }, responses: { '204': { description: 'removed' }, ...errors(404) } },
      },
      '/api/orders/{id}/contact/confirm': {
        post: {
          summary: 'Confirms the number with the code sent to it (five tries, five minutes); from then on the order\'s changes are sent to it, with nothing of the buyer\'s identity',
          security: secured,
          requestParams: { path: orderId },
          requestBody: json(contactConfirmSchema),
          responses: { '200': { description: 'confirmed', ...json(contactViewSchema) }, ...errors(400, 404, 410) },
        },
      },
      '/api/console/campaigns': {
        get: { summary: 'Re-registration campaigns with their progress, the subscriber base by registration status, and the real-name rate day by day', ...staffOnly('campaigns.read'), responses: { '200': { description: 'campaigns', ...json(campaignsOverviewSchema) }, ...errors(401, 403) } },
        post: {
          summary: 'Starts a re-registration campaign (补登记) over every subscriber in service with the statuses named: notices on schedule, suspension after the deadline and grace, final reminder, stop',
          ...staffOnly('campaigns.manage'),
          requestBody: json(newCampaignSchema),
          responses: { '201': { description: 'started', ...json(z.object({ id: z.string(), members: z.number().int() })) }, ...errors(400, 401, 403, 409) },
        },
      },
      '/api/operator/subscribers': {
        post: {
          summary: 'The live import port: the operator\'s billing system pushes up to 2,000 subscribers a call (a later record for a number replaces the earlier one; an ID number is kept as the five-card key only)',
          security: [{ operatorToken: [] }],
          requestBody: json(subscriberBatchSchema),
          responses: { '200': { description: 'imported; refused records named by their place and field', ...json(subscriberImportReportSchema) }, ...errors(400, 401, 429) },
        },
      },
      '/api/console/campaigns/report': {
        get: {
          summary: 'The figures the regulator asks for twice a month, as CSV: the base\'s real-name rate and each campaign\'s stages and steps in the half month',
          ...staffOnly('campaigns.read'),
          requestParams: { query: reportPeriodSchema },
          responses: { '200': { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errors(400, 401, 403) },
        },
      },
      '/api/reregister/code': {
        post: {
          summary: 'Re-registration online: sends a six-digit code by SMS to a subscriber\'s number (one a minute; five minutes, five tries). Any number is answered alike',
          requestBody: json(numberCodeRequestSchema),
          responses: { '202': { description: 'code sent (to a subscriber\'s number in service)', ...json(z.object({ number: z.string(), codeExpiresAt: z.string() })) }, ...errors(400, 409, 429) },
        },
      },
      '/api/reregister/confirm': {
        post: {
          summary: 'The code sent to the number: a half-hour session for that number (the code is used up)',
          requestBody: json(numberConfirmRequestSchema),
          responses: { '200': { description: 'proved', ...json(z.object({ sessionToken: z.string(), session: numberSessionSchema })) }, ...errors(400, 410, 429) },
        },
      },
      '/api/reregister/session': {
        get: { summary: 'The number a session is for (masked), how it is registered and its campaigns\' deadlines', security: secured, responses: { '200': { description: 'session', ...json(numberSessionSchema) }, ...errors(404) } },
      },
      '/api/reregister/orders': {
        post: {
          summary: 'The identity check for the number a session proves: a draft order on the path `reregistration` and its token, carried on with the order endpoints (consent, photos, live check, submission). Approved, it is the number\'s registration: nothing is charged or shipped',
          security: secured,
          responses: { '201': { description: 'created', ...json(createdOrderSchema) }, ...errors(404, 409, 429) },
        },
      },
      '/api/reports': {
        post: {
          summary: 'A report from the public: a shop selling cards without being entrusted (with up to three screenshots, 5 MB each, in the field `screenshots`), or a number used for fraud or harassment. Filed as a case; the reference follows it',
          requestBody: { content: { 'multipart/form-data': { schema: publicReportSchema }, 'application/json': { schema: publicReportSchema } } },
          responses: { '201': { description: 'filed', ...json(filedReportSchema) }, ...errors(400, 413, 415, 429) },
        },
      },
      '/api/reports/identity-checks': {
        post: {
          summary: 'A number opened in my name: the reporter\'s identity check, a draft order on the path `identity_check` and its token, carried on with the order endpoints (consent, photos, live check, submission)',
          responses: { '201': { description: 'created', ...json(createdOrderSchema) }, ...errors(429) },
        },
      },
      '/api/reports/identity-checks/{id}/numbers': {
        get: {
          summary: 'Once the identity check passed: the numbers in service registered to that identity, masked (一证通查)',
          security: secured,
          requestParams: { path: orderId },
          responses: { '200': { description: 'numbers', ...json(z.object({ numbers: z.array(registeredNumberSchema) })) }, ...errors(404, 409) },
        },
      },
      '/api/reports/identity-checks/{id}/report': {
        post: {
          summary: 'Files the numbers of that list the reporter did not open (one report per identity check)',
          security: secured,
          requestParams: { path: orderId },
          requestBody: json(openedInMyNameSchema),
          responses: { '201': { description: 'filed', ...json(filedReportSchema) }, ...errors(400, 404, 409, 429) },
        },
      },
      '/api/reports/status': {
        post: {
          summary: 'Where a report is, by its reference (sent in the body, never in an address)',
          requestBody: json(z.object({ reference: caseReference })),
          responses: { '200': { description: 'status', ...json(reportStatusSchema) }, ...errors(400, 404, 429) },
        },
      },
      '/api/console/cases': {
        get: {
          summary: 'The cases: open ones by deadline (overdue marked), or the latest closed',
          ...staffOnly('cases.read'),
          requestParams: { query: z.object({ state: z.enum(['open', 'closed']).optional() }) },
          responses: { '200': { description: 'cases', ...json(z.object({ cases: z.array(caseSummarySchema) })) }, ...errors(401, 403) },
        },
      },
      '/api/console/cases/{id}': {
        get: {
          summary: 'One case with what the reporter said, its numbers and everything done on it (the opening is in the staff action log)',
          ...staffOnly('cases.read'),
          requestParams: { path: z.object({ id: z.uuid() }) },
          responses: { '200': { description: 'case', ...json(caseDetailSchema) }, ...errors(401, 403, 404) },
        },
      },
      '/api/console/cases/{id}/actions': {
        post: {
          summary: 'What a person does on an open case: assign, note, refer to the police or 12321, suspend one of its numbers (with reason and authority), re-verify its holder, suspend or blacklist an agent, close with an outcome',
          ...staffOnly('cases.work'),
          requestParams: { path: z.object({ id: z.uuid() }) },
          requestBody: json(caseActionSchema),
          responses: { '200': { description: 'the case', ...json(caseDetailSchema) }, ...errors(400, 401, 403, 404, 409, 503) },
        },
      },
      '/api/sandbox/sms': {
        get: { summary: 'Sandbox only: the SMS centre\'s inbox, newest first (404 in production)', responses: { '200': { description: 'messages', ...json(z.object({ messages: z.array(sandboxSmsSchema) })) }, ...errors(404) } },
      },
      '/api/orders/{id}/withdrawal': {
        post: {
          summary: 'The buyer withdraws consent before submitting: the order closes (withdrawn), its number is released and everything it holds is deleted at once',
          security: secured,
          requestParams: { path: orderId },
          responses: { '200': { description: 'the order, withdrawn', ...json(orderViewSchema) }, ...errors(401, 404, 409) },
        },
      },
      '/api/channel/orders/{id}': {
        get: {
          summary: 'An order\'s outcome, for the agent that sold it (its server, with the API key)',
          security: [{ channelApiKey: [] }],
          requestParams: { path: channelId },
          responses: { '200': { description: 'the outcome', ...json(channelOrderSchema) }, ...errors(401, 404) },
        },
      },
      '/api/agents': {
        get: { summary: 'The agents authorised right now', responses: { '200': { description: 'agents', ...json(z.object({ agents: z.array(publicAgentSchema) })) } } },
      },
      '/api/agents/{agentNumber}/mark': {
        get: {
          summary: 'The unified agent mark for the requesting site (its Origin must be one of the agent\'s)',
          requestParams: { path: z.object({ agentNumber: z.string() }) },
          responses: { '200': { description: 'the mark', ...json(agentMarkSchema) }, ...errors(403, 404) },
        },
      },
      '/api/agents/verify': {
        post: {
          summary: 'Check a mark\'s payload: signed by the operator, whose, for which site, authorised now',
          requestBody: json(z.object({ payload: z.string() })),
          responses: { '200': { description: 'the verdict', ...json(markVerificationSchema) }, ...errors(400) },
        },
      },
      '/api/activations': {
        post: {
          summary: 'Start activating an unactivated card: its ICCID, its number, and the code in its pack (or the order\'s token as bearer)',
          security: [{}, { orderToken: [] }],
          requestBody: json(startActivationRequestSchema),
          responses: { '201': { description: 'an attempt', ...json(activationSessionSchema) }, ...errors(400, 404, 409, 423, 429) },
        },
      },
      '/api/activations/{id}': {
        get: {
          summary: 'Where a finished attempt stands (activating, activated, failed)',
          security: attempt,
          requestParams: { path: orderId },
          responses: { '200': { description: 'the outcome', ...json(activationResultSchema) }, ...errors(404, 409) },
        },
      },
      '/api/activations/{id}/card': {
        put: {
          summary: 'The portrait side of the ID card, photographed again (multipart field "image")',
          security: attempt,
          requestParams: { path: orderId },
          requestBody: { content: { 'multipart/form-data': { schema: z.object({ image: binary }) } } },
          responses: { '200': { description: 'what was read; problems mean retake', ...json(activationCardResultSchema) }, ...errors(400, 404, 409, 410, 413, 415, 422) },
        },
      },
      '/api/activations/{id}/liveness': {
        post: {
          summary: 'A live-check challenge for this attempt',
          security: attempt,
          requestParams: { path: orderId },
          responses: { '201': { description: 'the challenge', ...json(livenessChallengeSchema) }, ...errors(404, 409, 410, 429) },
        },
      },
      '/api/activations/{id}/liveness/{challengeId}/frames': {
        post: {
          summary: 'Answer the challenge (multipart field "frames", in order)',
          security: attempt,
          requestParams: { path: orderId.extend({ challengeId: z.uuid() }) },
          requestBody: { content: { 'multipart/form-data': { schema: z.object({ frames: z.array(binary) }) } } },
          responses: { '200': { description: 'the verdict', ...json(livenessVerdictSchema) }, ...errors(400, 404, 409, 410, 413, 415, 422) },
        },
      },
      '/api/activations/{id}/complete': {
        post: {
          summary: 'Decide the attempt: passing queues the activation; failing counts towards the lock',
          security: attempt,
          requestParams: { path: orderId },
          responses: { '200': { description: 'the outcome', ...json(activationResultSchema) }, ...errors(404, 409, 410) },
        },
      },
    },
  });
}

export function openApiRoutes(version: string): Router {
  const document = buildOpenApi(version);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
