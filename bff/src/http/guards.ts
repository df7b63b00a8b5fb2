import type { Limits } from './limits.js';
import type { UploadBudget } from './uploadBudget.js';

/** What stands between a client and the services: per-client limits, and the memory budget of uploads. */
export interface Guards {
  limits: Limits;
  uploads: UploadBudget;
}
