import type { Limits } from './limits.js';
import type { UploadBudget } from './uploadBudget.js';
import type { StaffGuard } from '../staff/staff.routes.js';

/** What stands between a client and the services: per-client limits, and the memory budget of uploads. */
export interface Guards {
  limits: Limits;
  uploads: UploadBudget;
  /** The console's: a staff session with the permission a route asks for. */
  staff: StaffGuard;
}
