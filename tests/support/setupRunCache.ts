import { type FoundFace, keepFoundFaces } from '../../bff/src/sandbox/mockId/foundFaces.js';
import { runCache } from './runCache.js';

// Each test file's specimen cards find their faces once for the whole run (see runCache.ts).
keepFoundFaces(runCache<FoundFace>('found-faces'));
