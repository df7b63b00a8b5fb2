import type { Generated } from 'kysely';
import type { ChannelRow, WebhookDeliveryRow } from './channels.db.js';
import type { ActivationAttemptRow, CourierRow, HandoverRow, ProvisioningJobRow, ShipmentRow, SimCardRow } from './fulfilment.db.js';
import type { EvidenceRow, LivenessRow, OrderRow, StockOrigin, TransitionRow } from './orders.db.js';
import type { StaffAccountRow, StaffSessionRow } from '../../staff/staff.db.js';
import type { AccessAuditRow } from '../../audit/audit.db.js';
import type { PatrolOutcome } from '@shared';
import type { AlertRow } from '../../monitoring/monitoring.db.js';
import type { CaseEventRow, CaseRow } from '../../cases/cases.db.js';
import type { RegistrationRow } from '../../registrations/registrations.db.js';
import type { HandoffRow } from '../../handoff/handoffs.db.js';
import type { NumberProofRow } from '../../reregistration/numberProofs.db.js';
import type { CampaignMemberRow, CampaignRow, CampaignStepRow, SubscriberRow } from '../../reregistration/campaigns.db.js';

/** The tables as the queries see them, in both engines (times are milliseconds since the epoch). */
export interface Schema {
  numbers: {
    msisdn: string;
    status: 'available' | 'held' | 'assigned';
    hold_id: string | null;
    hold_token_hash: string | null;
    held_until: number | null;
    order_id: string | null;
    hold_client: string | null;
    origin: Generated<StockOrigin>;
  };
  orders: OrderRow;
  evidence: EvidenceRow;
  transitions: TransitionRow & { id: Generated<number> };
  liveness_challenges: LivenessRow;
  liveness_frame_digests: { digest: string; challenge_id: string; created_at: number };
  liveness_sequences: { challenge_id: string; hashes: Buffer; created_at: number };
  liveness_hash_bands: { band: string; challenge_id: string; created_at: number };
  holder_cards: { holder_key: string; cards: number };
  sim_cards: SimCardRow;
  shipments: ShipmentRow;
  couriers: CourierRow;
  handovers: HandoverRow & { id: Generated<number> };
  activation_attempts: ActivationAttemptRow;
  provisioning_jobs: ProvisioningJobRow;
  channels: ChannelRow;
  channel_events: { id: Generated<number>; channel_id: string; at: number; change: string; actor: string; reason: string | null; evidence: string | null };
  channel_patrols: { id: Generated<number>; channel_id: string; page: string; outcome: PatrolOutcome; detail: string | null; at: number };
  /** What a blacklisting binds: the business (its unified social credit code) and its legal representative (a keyed hash). */
  channel_bans: { id: Generated<number>; kind: 'credit_code' | 'legal_rep'; value: string; channel_id: string; reason: string; at: number };
  alerts: AlertRow;
  cases: CaseRow;
  case_events: CaseEventRow & { id: Generated<number> };
  /** Holds of a number that lapsed without an order, by the network's keyed digest (the monitoring). */
  hold_lapses: { id: Generated<number>; client: string; at: number };
  /** The live face of each submission (sealed descriptor) under its identity's five-card key. */
  face_index: { order_id: string; holder_key: string; face: Buffer; at: number };
  webhook_deliveries: WebhookDeliveryRow;
  readiness_probe: { id: number; at: number };
  keyring_check: { id: number; digest: string; sealed: Buffer };
  staff_accounts: StaffAccountRow;
  staff_sessions: StaffSessionRow;
  staff_enrolments: { ticket_hash: string; staff_id: string; secret: Buffer; expires_at: number };
  review_proposals: { order_id: string; staff: string; outcome: 'approve' | 'reject'; reason: string; note: Buffer; at: number };
  access_audit: AccessAuditRow;
  registrations: RegistrationRow;
  legal_holds: { order_id: string; staff: string; reason: Buffer; at: number };
  order_contacts: {
    order_id: string; mobile: Buffer; code_hash: string | null; code_expires_at: number | null; code_attempts: number; code_sent_at: number; confirmed_at: number | null;
  };
  notices: {
    id: string; order_id: string; event: string; status: 'pending' | 'sent' | 'failed'; attempts: number; next_at: number; claimed_until: number | null;
    last_error: string | null; created_at: number; sent_at: number | null;
  };
  order_handoffs: HandoffRow;
  shipment_events: { id: Generated<number>; order_id: string; status: 'out_for_delivery' | 'delivered'; at: number };
  subscribers: SubscriberRow;
  campaigns: CampaignRow;
  campaign_members: CampaignMemberRow;
  campaign_steps: CampaignStepRow & { id: Generated<number> };
  number_proofs: NumberProofRow;
  number_sessions: { token_hash: string; msisdn: string; created_at: number; expires_at: number };
  real_name_days: { scope: string; day: string; total: number; registered: number };
  staff_actions: { id: Generated<number>; at: number; staff: string; action: string; target: string | null };
}
