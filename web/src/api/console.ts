import {
  type Alert, type Dashboard, type DashboardQuery,
  CSRF_HEADER, PASSIVE_HEADER, type Channel, type CreateChannelRequest, type CreateStaffRequest, type Enrolment, type StaffAccount, type StaffAction,
  type StaffCredentials, type StaffSession, type UpdateChannelRequest, type UpdateStaffRequest,
  type ReviewCase, type ReviewCorrectionRequest, type ReviewDecisionRequest, type ReviewDecisionResult, type ReviewEvidence, type ReviewQueueItem,
  type CampaignsOverview, type NewCampaignRequest,
  type CourierAccount, type FailedJob, type HeldAgentOrder, type HeldOrder, type LegalHold, type LookupRequest, type RegistrationEvidence, type RegistrationRecord,
  type CaseAction, type CaseDetail, type CaseSummary,
} from '@shared';
import { ApiError, errorFrom } from './client.js';

/** The session's CSRF token, sent with every change (the console's store sets it on sign-in). */
let csrfToken = '';
export function useCsrfToken(token: string): void {
  csrfToken = token;
}

/** A console call: the session cookie goes by itself (same origin); changes carry the CSRF token. */
async function call<T>(path: string, method = 'GET', body?: unknown, { passive = false } = {}): Promise<T> {
  const headers = new Headers();
  if (passive) headers.set(PASSIVE_HEADER, '1');
  if (body !== undefined) headers.set('content-type', 'application/json');
  if (method !== 'GET' && csrfToken) headers.set(CSRF_HEADER, csrfToken);
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError('network', 'network unreachable', 0);
  }
  if (!res.ok) throw await errorFrom(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const consoleApi = {
  session: () => call<StaffSession>('/api/staff/session'),
  signIn: (username: string, password: string, code: string) => call<StaffSession>('/api/staff/session', 'POST', { username, password, code }),
  signOut: () => call<undefined>('/api/staff/session', 'DELETE'),
  startEnrolment: (username: string, password: string) => call<Enrolment>('/api/staff/enrolment', 'POST', { username, password }),
  finishEnrolment: (ticket: string, newPassword: string, code: string) => call<StaffSession>('/api/staff/enrolment/finish', 'POST', { ticket, newPassword, code }),
  accounts: () => call<{ accounts: StaffAccount[] }>('/api/console/staff'),
  addAccount: (body: CreateStaffRequest) => call<StaffCredentials>('/api/console/staff', 'POST', body),
  updateAccount: (id: string, body: UpdateStaffRequest) => call<StaffAccount>(`/api/console/staff/${id}`, 'PATCH', body),
  resetAccount: (id: string) => call<StaffCredentials>(`/api/console/staff/${id}/reset`, 'POST'),
  actions: () => call<{ actions: StaffAction[] }>('/api/console/actions'),
  channels: () => call<{ channels: Channel[] }>('/api/operator/channels'),
  createChannel: (body: CreateChannelRequest) => call<{ channel: Channel; webhookSecret: string; apiKey: string }>('/api/operator/channels', 'POST', body),
  updateChannel: (id: string, body: UpdateChannelRequest) => call<Channel>(`/api/operator/channels/${id}`, 'PATCH', body),
  /** The second person approves an agent's admission. */
  approveChannel: (id: string) => call<Channel>(`/api/operator/channels/${id}/approval`, 'POST'),
  /** The patrol of one agent's pages, now. */
  patrolChannel: (id: string) => call<{ findings: unknown[] }>(`/api/operator/channels/${id}/patrol`, 'POST'),
};

export interface AuditEntry { seq: number; at: number; staff: string; action: string; subject: string; reason: string }
export interface AuditView { entries: AuditEntry[]; chain: { ok: boolean; entries: number; brokenAt?: number } }

export const reviewApi = {
  /** The queue; `passive` when the page refreshes it by itself (it does not keep the session awake). */
  queue: (passive = false) => call<{ reviews: ReviewQueueItem[] }>('/api/console/reviews', 'GET', undefined, { passive }),
  open: (id: string) => call<ReviewCase>(`/api/console/reviews/${id}`),
  /** Where a photo of the case is shown from (the session cookie goes with the image request). */
  photoUrl: (id: string, kind: ReviewEvidence) => `/api/console/reviews/${id}/evidence/${kind}`,
  decide: (id: string, body: ReviewDecisionRequest) => call<ReviewDecisionResult>(`/api/console/reviews/${id}/decision`, 'POST', body),
  /** A reading the reader doubted, corrected to what the card shows; the case comes back checked again. */
  correct: (id: string, body: ReviewCorrectionRequest) => call<ReviewCase>(`/api/console/reviews/${id}/correction`, 'POST', body),
  audit: () => call<AuditView>('/api/console/audit'),
};

/** Registration records, buyers' requests and legal holds: every call carries its reason. */
export const recordsApi = {
  lookup: (body: LookupRequest) => call<{ registrations: RegistrationRecord[] }>('/api/console/registrations/lookup', 'POST', body),
  photoUrl: (id: string, kind: RegistrationEvidence) => `/api/console/registrations/${id}/evidence/${kind}`,
  endService: (id: string, reason: string) => call<undefined>(`/api/console/registrations/${id}/service-end`, 'POST', { reason }),
  findOrders: (body: LookupRequest) => call<{ orders: HeldOrder[] }>('/api/console/requests/find', 'POST', body),
  access: (id: string, reason: string) => call<Record<string, unknown>>(`/api/console/requests/${id}/access`, 'POST', { reason }),
  erase: (id: string, reason: string) => call<HeldOrder>(`/api/console/requests/${id}/deletion`, 'POST', { reason }),
  holds: () => call<{ holds: LegalHold[] }>('/api/console/holds'),
  setHold: (orderId: string, reason: string) => call<{ orderId: string }>('/api/console/holds', 'POST', { orderId, reason }),
  liftHold: (orderId: string, reason: string) => call<undefined>(`/api/console/holds/${orderId}/lift`, 'POST', { reason }),
};

/** The operations queues: failed provisioning jobs, couriers, orders held for their agent. */
export const operationsApi = {
  jobs: () => call<{ jobs: FailedJob[] }>('/api/console/operations/jobs'),
  retry: (key: string, reason: string) => call<undefined>(`/api/console/operations/jobs/${key}/retry`, 'POST', { reason }),
  cancel: (key: string, reason: string) => call<undefined>(`/api/console/operations/jobs/${key}/cancel`, 'POST', { reason }),
  held: () => call<{ orders: HeldAgentOrder[] }>('/api/console/operations/held'),
  clearHeld: (id: string, reason: string) => call<undefined>(`/api/console/operations/held/${id}/clear`, 'POST', { reason }),
  cancelHeld: (id: string, reason: string) => call<undefined>(`/api/console/operations/held/${id}/cancel`, 'POST', { reason }),
  couriers: () => call<{ couriers: CourierAccount[] }>('/api/console/couriers'),
  addCourier: (body: { company: string; name: string; supervisor: boolean }) => call<{ courier: CourierAccount; accessCode: string }>('/api/console/couriers', 'POST', body),
  disableCourier: (id: string) => call<undefined>(`/api/console/couriers/${id}/disable`, 'POST'),
};

/** The monitoring's alerts: open ones (or all), and closing one with a note. */
export const alertsApi = {
  list: (status: 'open' | 'all' = 'open') => call<{ alerts: Alert[] }>(`/api/console/alerts?status=${status}`),
  close: (id: string, note: string) => call<undefined>(`/api/console/alerts/${id}/close`, 'POST', { note }),
};

/** The cases from the public's reports: the queue, one case, its screenshots, and what is done on it. */
export const casesApi = {
  list: (state: 'open' | 'closed' = 'open') => call<{ cases: CaseSummary[] }>(`/api/console/cases?state=${state}`),
  get: (id: string) => call<CaseDetail>(`/api/console/cases/${id}`),
  act: (id: string, action: CaseAction) => call<CaseDetail>(`/api/console/cases/${id}/actions`, 'POST', action),
  screenshotUrl: (id: string, n: number) => `/api/console/cases/${id}/screenshots/${n}`,
};

/** The dashboard's figures for a period and a channel, and the same as a CSV file. */
export const dashboardApi = {
  get: (query: DashboardQuery) => call<Dashboard>(`/api/console/dashboard?${new URLSearchParams(query).toString()}`),
  csvUrl: (query: DashboardQuery) => `/api/console/dashboard.csv?${new URLSearchParams(query).toString()}`,
};

/** Re-registration campaigns: their progress and figures; a new one (administrators). */
export const campaignsApi = {
  overview: () => call<CampaignsOverview>('/api/console/campaigns'),
  create: (body: NewCampaignRequest) => call<{ id: string; members: number }>('/api/console/campaigns', 'POST', body),
  /** The regulator's half-monthly figures, downloaded with the session cookie. */
  reportUrl: (period: string) => `/api/console/campaigns/report?period=${encodeURIComponent(period)}`,
};
