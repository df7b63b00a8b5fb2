import type { RequestHandler } from 'express';
import multer from 'multer';
import { LIVENESS_FRAMES } from '@shared';
import { AppError } from '../errors.js';
import { continueAsClient } from './client.js';

/** A phone photo is 2-8 MB; a 48 MP PNG can be larger, but we refuse those anyway. */
export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;

/** Frames of a live check: a few tens of kB each at 480 px; half a megabyte at most. */
export const MAX_FRAME_BYTES = 512 * 1024;

/** The largest body of a live check's frames (a real one, 40-70 frames at 480 px, is 1-2 MB). */
export const MAX_FRAMES_BYTES = 24 * 1024 * 1024;

/** The card and the recipient's face at the door. */
export const MAX_HANDOVER_BYTES = 2 * MAX_UPLOAD_BYTES;

/**
 * Files in one multipart field, held in memory, never written to disk as they arrived. Multer's
 * refusals become stable codes; the limits stop a body from growing without bound.
 */
function filesIn(field: string, maxFiles: number, maxBytes: number, also: { field: string; maxCount: number }[] = [], fieldSize = 1024, optional = false): RequestHandler {
  const files = maxFiles + also.reduce((n, a) => n + a.maxCount, 0);
  const limited = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files, fields: 5, parts: files + 5, fieldSize },
  });
  const parse = also.length === 0
    ? limited.array(field, maxFiles)
    : limited.fields([{ name: field, maxCount: maxFiles }, ...also.map((a) => ({ name: a.field, maxCount: a.maxCount }))]);
  const expected = maxFiles === 1 ? `exactly one file, in the field "${field}"` : `at most ${maxFiles} files, in the field "${field}"`;

  return (req, res, proceed) => {
    // Multer calls back from the body's stream events: carry on as the request's client.
    const next = (error?: unknown): void => continueAsClient(req, proceed, error);
    parse(req, res, (error: unknown) => {
      if (error instanceof multer.MulterError) {
        switch (error.code) {
          case 'LIMIT_FILE_SIZE':
            next(new AppError('upload_too_large', `a file is larger than ${maxBytes / 2 ** 20} MB`, 413));
            return;
          case 'LIMIT_UNEXPECTED_FILE':
          case 'LIMIT_FILE_COUNT':
            next(new AppError('upload_unexpected_field', `send ${expected}`, 400));
            return;
          case 'LIMIT_PART_COUNT':
          case 'LIMIT_FIELD_COUNT':
          case 'LIMIT_FIELD_KEY':
          case 'LIMIT_FIELD_VALUE':
          case 'MISSING_FIELD_NAME':
            next(new AppError('bad_request', `malformed upload: ${error.message}`, 400));
            return;
        }
      }
      if (error) {
        next(new AppError('bad_request', 'malformed multipart body', 400, { cause: error }));
        return;
      }
      if (!optional && uploadedFiles(req, field).length === 0) {
        next(new AppError('upload_missing_file', `no file: send ${expected}`, 400));
        return;
      }
      next();
    });
  };
}

/** One photo in the multipart field `image`. */
export const imageUpload: RequestHandler = filesIn('image', 1, MAX_UPLOAD_BYTES);

/**
 * The frames of a live check, in the multipart field `frames`, in the order they were taken, and
 * their timeline (JSON, a few dozen bytes a frame) in the text field `timeline`.
 */
export const frameUpload: RequestHandler = filesIn('frames', LIVENESS_FRAMES.max, MAX_FRAME_BYTES, [], LIVENESS_FRAMES.max * 64);

/** At the door: a photo of the recipient's ID card in the field `card`, one of the recipient in the field `face`. */
export const handoverUpload: RequestHandler = filesIn('card', 1, MAX_UPLOAD_BYTES, [{ field: 'face', maxCount: 1 }]);

/** The files a handler above accepted (in one field, when the upload has several). */
export function uploadedFiles(req: { files?: unknown }, field?: string): Buffer[] {
  const files = req.files as { buffer: Buffer }[] | Record<string, { buffer: Buffer }[]> | undefined;
  const list = Array.isArray(files) ? files : field ? (files?.[field] ?? []) : [];
  return list.map((f) => f.buffer);
}

/** A screenshot of a shop's page: 5 MB is plenty for a phone's screen. */
export const MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024;

/** A report of a shop: its fields, and up to three screenshots (none is fine) in the field `screenshots`. */
export const screenshotUpload: RequestHandler = filesIn('screenshots', 3, MAX_SCREENSHOT_BYTES, [], 2000, true);
