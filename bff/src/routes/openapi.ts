import { Router } from 'express';
import { z } from 'zod';
import { type ZodOpenApiResponsesObject, createDocument } from 'zod-openapi';
import {
  EVIDENCE_KINDS,
  MVNO_PREFIXES,
  availableNumbersSchema,
  consentRequestSchema,
  createOrderRequestSchema,
  createdOrderSchema,
  errorBodySchema,
  evidenceResultSchema,
  healthSchema,
  holdRequestSchema,
  holdSchema,
  livenessChallengeSchema,
  livenessResultSchema,
  orderViewSchema,
  submitRequestSchema,
} from '@shared';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const errors = (...statuses: number[]): ZodOpenApiResponsesObject =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: 'error', ...json(errorBodySchema) }]));
const orderId = z.object({ id: z.uuid() });
const secured = [{ orderToken: [] }];

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApi(version: string): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'SIM real-name verification BFF', version },
    components: {
      securitySchemes: {
        orderToken: { type: 'http', scheme: 'bearer', description: 'The orderToken returned when the order was created' },
      },
    },
    paths: {
      '/api/health': { get: { summary: 'Liveness', responses: { '200': { description: 'ok', ...json(healthSchema) } } } },
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
          security: secured,
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
          security: secured,
          requestParams: { path: orderId.extend({ kind: z.enum(EVIDENCE_KINDS) }) },
          requestBody: { content: { 'multipart/form-data': { schema: z.object({ image: z.string().meta({ format: 'binary' }) }) } } },
          responses: { '200': { description: 'stored; card sides come back read', ...json(evidenceResultSchema) }, ...errors(400, 404, 409, 413, 415, 422) },
        },
      },
      '/api/orders/{id}/liveness': {
        post: {
          summary: 'Start a live camera check: a random challenge of two or three actions, answered once before it expires',
          security: secured,
          requestParams: { path: orderId },
          responses: { '201': { description: 'the challenge', ...json(livenessChallengeSchema) }, ...errors(404, 409, 429) },
        },
      },
      '/api/orders/{id}/liveness/{challengeId}/frames': {
        post: {
          summary: 'Answer a challenge with the frames taken while following it (multipart field "frames", in order)',
          security: secured,
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
