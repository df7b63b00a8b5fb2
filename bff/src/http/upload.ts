import type { RequestHandler } from 'express';
import multer from 'multer';
import { AppError } from '../errors.js';

/** A phone photo is 2-8 MB; a 48 MP PNG can be larger, but we refuse those anyway. */
export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;

const single = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6, fieldSize: 1024 },
}).single('image');

/** One file in the multipart field `image`, held in memory, never written to disk as it arrived. */
export const imageUpload: RequestHandler = (req, res, next) => {
  single(req, res, (error: unknown) => {
    if (error instanceof multer.MulterError) {
      switch (error.code) {
        case 'LIMIT_FILE_SIZE':
          next(new AppError('upload_too_large', `the file is larger than ${MAX_UPLOAD_BYTES / 2 ** 20} MB`, 413));
          return;
        case 'LIMIT_UNEXPECTED_FILE':
        case 'LIMIT_FILE_COUNT':
          next(new AppError('upload_unexpected_field', 'send exactly one file, in the field "image"', 400));
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
    if (!req.file) {
      next(new AppError('upload_missing_file', 'no file: send the photo in the multipart field "image"', 400));
      return;
    }
    next();
  });
};
