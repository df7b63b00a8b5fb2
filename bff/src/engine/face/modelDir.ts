import { createRequire } from 'node:module';
import path from 'node:path';

/** The face models inside the @vladmandic/face-api package: used by the workers and served to the SPA. */
export const FACE_MODEL_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');
