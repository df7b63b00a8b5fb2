import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import { SQLITE_LEGACY_MIGRATIONS } from './sqliteLegacyMigrations.js';

export type Engine = 'sqlite' | 'postgres';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe the schema they make, not the one the queries see */
type Db = Kysely<any>;
type Table = CreateTableBuilder<string, never>;
type Column = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

const notNull: Column = (c) => c.notNull();
const oneOf = (column: string, values: readonly string[]): Column => (c) => c.check(sql`${sql.ref(column)} IN (${sql.join(values.map((v) => sql.lit(v)))})`);
const required = (column: string, values: readonly string[]): Column => (c) => oneOf(column, values)(c.notNull());

/**
 * The schema, one set of migrations for SQLite and PostgreSQL, written with the schema builder so
 * that each engine gets its own types: times are milliseconds (bigint), sealed values bytes (blob,
 * bytea), scores double precision, logs an id of their own. Append only: never edit a migration that
 * has shipped.
 *
 * Identity data never sits in these tables in clear: it is sealed (see sealed.ts) or a keyed digest.
 */
export function migrations(engine: Engine): Record<string, Migration> {
  const bytes = engine === 'postgres' ? 'bytea' : 'blob';
  const logId = (t: Table): Table => (engine === 'postgres'
    ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()));
  const index = (db: Db, name: string, table: string, columns: string[]) => db.schema.createIndex(name).on(table).columns(columns).execute();

  return {
    // Everything up to running for real: numbers and holds, orders, evidence, the transition log,
    // live checks and frame digests, the five-card count, stock, shipments, couriers, hand-overs,
    // activation attempts, the provisioning outbox, channels and their webhook outbox.
    '0001_schema': {
      async up(db: Db): Promise<void> {
        // An SQLite file made before: brought up to the same schema by the statements it was made with.
        if (engine === 'sqlite' && await legacySqliteFile(db)) return;

        await db.schema.createTable('numbers')
          .addColumn('msisdn', 'text', (c) => c.primaryKey())
          .addColumn('status', 'text', required('status', ['available', 'held', 'assigned']))
          .addColumn('hold_id', 'text', (c) => c.unique())
          .addColumn('hold_token_hash', 'text')
          .addColumn('held_until', 'bigint')
          .addColumn('order_id', 'text')
          .addColumn('hold_client', 'text')
          .addColumn('origin', 'text', (c) => required('origin', ['sandbox', 'import'])(c.defaultTo('sandbox')))
          .execute();
        await index(db, 'numbers_status', 'numbers', ['status', 'msisdn']);
        await index(db, 'numbers_hold_client', 'numbers', ['hold_client', 'status']);

        await db.schema.createTable('channels')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('agent_number', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', notNull)
          .addColumn('licence_number', 'text', notNull)
          .addColumn('scope', 'text', notNull)
          .addColumn('origins', 'text', notNull)
          .addColumn('status', 'text', required('status', ['active', 'suspended', 'blacklisted']))
          .addColumn('webhook_url', 'text')
          .addColumn('webhook_secret', bytes, notNull)
          .addColumn('api_key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('updated_at', 'bigint', notNull)
          .addColumn('kind', 'text', (c) => required('kind', ['agent', 'operator'])(c.defaultTo('agent')))
          .execute();
        await logId(db.schema.createTable('channel_events'))
          .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
          .addColumn('at', 'bigint', notNull)
          .addColumn('change', 'text', notNull)
          .addColumn('actor', 'text', notNull)
          .execute();

        await db.schema.createTable('orders')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('token_hash', 'text', notNull)
          .addColumn('state', 'text', notNull)
          .addColumn('msisdn', 'text', notNull)
          .addColumn('delivery_path', 'text', required('delivery_path', ['courier_verified', 'unactivated']))
          .addColumn('consent_at', 'bigint')
          .addColumn('consent_version', 'text')
          .addColumn('identity', bytes)
          .addColumn('checks', 'text')
          .addColumn('decision', 'text')
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('updated_at', 'bigint', notNull)
          .addColumn('hold_expires_at', 'bigint', notNull)
          .addColumn('holder_key', 'text')
          .addColumn('channel_id', 'text', (c) => c.references('channels.id'))
          .addColumn('channel_flag', 'text')
          .execute();
        await index(db, 'orders_state', 'orders', ['state', 'hold_expires_at']);
        await index(db, 'orders_holder', 'orders', ['holder_key', 'state']);
        await index(db, 'orders_channel', 'orders', ['channel_id', 'state']);

        await db.schema.createTable('evidence')
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('kind', 'text', required('kind', ['portrait', 'emblem', 'handheld']))
          .addColumn('object_id', 'text', notNull)
          .addColumn('uploaded_at', 'bigint', notNull)
          .addColumn('face', bytes)
          .addColumn('problems', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('card_numbers', bytes)
          .addPrimaryKeyConstraint('evidence_pk', ['order_id', 'kind'])
          .execute();

        await logId(db.schema.createTable('transitions'))
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('from_state', 'text')
          .addColumn('to_state', 'text', notNull)
          .addColumn('at', 'bigint', notNull)
          .addColumn('reason', 'text', notNull)
          .addColumn('actor', 'text', notNull)
          .execute();
        await index(db, 'transitions_order', 'transitions', ['order_id', 'id']);

        await db.schema.createTable('liveness_challenges')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('actions', 'text', notNull)
          .addColumn('issued_at', 'bigint', notNull)
          .addColumn('expires_at', 'bigint', notNull)
          .addColumn('answered_at', 'bigint')
          .addColumn('outcome', 'text', oneOf('outcome', ['passed', 'failed', 'review']))
          .addColumn('reasons', 'text')
          .addColumn('score', 'double precision')
          .addColumn('object_id', 'text')
          .addColumn('face', bytes)
          .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('purchase'))
          .execute();
        await index(db, 'liveness_challenges_order', 'liveness_challenges', ['order_id', 'issued_at']);
        await db.schema.createTable('liveness_frame_digests')
          .addColumn('digest', 'text', (c) => c.primaryKey())
          .addColumn('challenge_id', 'text', notNull)
          .addColumn('created_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        await index(db, 'liveness_frame_digests_age', 'liveness_frame_digests', ['created_at']);

        await db.schema.createTable('holder_cards')
          .addColumn('holder_key', 'text', (c) => c.primaryKey())
          .addColumn('cards', 'integer', (c) => c.notNull().check(sql`cards >= 0`))
          .execute();

        await db.schema.createTable('sim_cards')
          .addColumn('iccid', 'text', (c) => c.primaryKey())
          .addColumn('status', 'text', required('status', ['available', 'packed', 'active', 'returned']))
          .addColumn('order_id', 'text', (c) => c.unique().references('orders.id'))
          .addColumn('pack_code_hash', 'text')
          .addColumn('sandbox_pack_code', bytes)
          .addColumn('origin', 'text', (c) => required('origin', ['sandbox', 'import'])(c.defaultTo('sandbox')))
          .execute();
        await index(db, 'sim_cards_status', 'sim_cards', ['status', 'iccid']);

        await db.schema.createTable('shipments')
          .addColumn('order_id', 'text', (c) => c.primaryKey().references('orders.id'))
          .addColumn('carrier', 'text', notNull)
          .addColumn('tracking_number', 'text', (c) => c.notNull().unique())
          .addColumn('iccid', 'text', (c) => c.notNull().references('sim_cards.iccid'))
          .addColumn('handover_code', bytes)
          .addColumn('code_failures', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'text', required('status', ['in_transit', 'out_for_delivery', 'delivered', 'handed_over', 'refused', 'returned']))
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('updated_at', 'bigint', notNull)
          .addColumn('activation_failures', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('activation_locked_until', 'bigint')
          .execute();

        await db.schema.createTable('couriers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('company', 'text', notNull)
          .addColumn('name', 'text', notNull)
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('disabled_at', 'bigint')
          .addColumn('role', 'text', (c) => required('role', ['courier', 'supervisor'])(c.defaultTo('courier')))
          .execute();

        await logId(db.schema.createTable('handovers'))
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('courier_id', 'text', (c) => c.notNull().references('couriers.id'))
          .addColumn('at', 'bigint', notNull)
          .addColumn('outcome', 'text', required('outcome', ['handed_over', 'refused']))
          .addColumn('reasons', 'text', notNull)
          .addColumn('card_object_id', 'text')
          .addColumn('face_object_id', 'text')
          .addColumn('score', 'double precision')
          .addColumn('confirmed_at', 'bigint')
          .addColumn('device_time', 'text')
          .addColumn('live_score', 'double precision')
          .addColumn('supervisor_id', 'text', (c) => c.references('couriers.id'))
          .execute();
        await index(db, 'handovers_order', 'handovers', ['order_id', 'id']);

        await db.schema.createTable('activation_attempts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('token_hash', 'text', notNull)
          .addColumn('started_at', 'bigint', notNull)
          .addColumn('expires_at', 'bigint', notNull)
          .addColumn('finished_at', 'bigint')
          .addColumn('outcome', 'text', oneOf('outcome', ['activated', 'failed']))
          .addColumn('reasons', 'text')
          .addColumn('card_object_id', 'text')
          .addColumn('card_read', bytes)
          .execute();
        await index(db, 'activation_attempts_order', 'activation_attempts', ['order_id', 'started_at']);

        await db.schema.createTable('provisioning_jobs')
          .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull().unique().references('orders.id'))
          .addColumn('operation', 'text', required('operation', ['activate']))
          .addColumn('iccid', 'text', notNull)
          .addColumn('msisdn', 'text', notNull)
          .addColumn('status', 'text', required('status', ['pending', 'done', 'failed']))
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_at', 'bigint', notNull)
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('done_at', 'bigint')
          .execute();
        await index(db, 'provisioning_jobs_due', 'provisioning_jobs', ['status', 'next_at']);

        await db.schema.createTable('webhook_deliveries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('event', 'text', notNull)
          .addColumn('body', 'text', notNull)
          .addColumn('status', 'text', required('status', ['pending', 'delivered', 'failed']))
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_at', 'bigint', notNull)
          .addColumn('last_status', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('delivered_at', 'bigint')
          .execute();
        await index(db, 'webhook_deliveries_due', 'webhook_deliveries', ['status', 'next_at']);
        await index(db, 'webhook_deliveries_channel', 'webhook_deliveries', ['channel_id', 'created_at']);

        await db.schema.createTable('readiness_probe')
          .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
          .addColumn('at', 'bigint', notNull)
          .execute();
        await db.schema.createTable('keyring_check')
          .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
          .addColumn('digest', 'text', notNull)
          .addColumn('sealed', bytes, notNull)
          .execute();
      },
    },
    // Many processes: a job or notice being sent is claimed by one process until a time; another
    // takes it only when the claim has run out (its process stopped).
    '0002_outbox_claims': {
      async up(db: Db): Promise<void> {
        await db.schema.alterTable('provisioning_jobs').addColumn('claimed_until', 'bigint').execute();
        await db.schema.alterTable('webhook_deliveries').addColumn('claimed_until', 'bigint').execute();
      },
    },
    // The per-client limits' counters, shared by every process (PostgreSQL; SQLite keeps them in a
    // file of their own): the table rate-limiter-flexible reads and writes.
    '0003_rate_limits': {
      async up(db: Db): Promise<void> {
        if (engine !== 'postgres') return;
        await db.schema.createTable('rate_limits')
          .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
          .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('expire', 'bigint')
          .execute();
      },
    },
    // The operator's staff: named accounts with roles, a password (scrypt) and a TOTP secret (sealed),
    // their sessions and pending enrolments (by the hashes of their tokens), and what each person did.
    '0004_staff': {
      async up(db: Db): Promise<void> {
        await db.schema.createTable('staff_accounts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', notNull)
          .addColumn('roles', 'text', notNull)
          .addColumn('password_hash', 'text', notNull)
          .addColumn('one_time', 'integer', notNull)
          .addColumn('totp_secret', bytes)
          .addColumn('totp_last_step', 'bigint')
          .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until', 'bigint')
          .addColumn('disabled_at', 'bigint')
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('created_by', 'text', notNull)
          .addColumn('updated_at', 'bigint', notNull)
          .execute();
        await db.schema.createTable('staff_sessions')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('staff_id', 'text', (c) => c.notNull().references('staff_accounts.id'))
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('seen_at', 'bigint', notNull)
          .addColumn('expires_at', 'bigint', notNull)
          .execute();
        await index(db, 'staff_sessions_staff', 'staff_sessions', ['staff_id']);
        await db.schema.createTable('staff_enrolments')
          .addColumn('ticket_hash', 'text', (c) => c.primaryKey())
          .addColumn('staff_id', 'text', (c) => c.notNull().references('staff_accounts.id'))
          .addColumn('secret', bytes, notNull)
          .addColumn('expires_at', 'bigint', notNull)
          .execute();
        await logId(db.schema.createTable('staff_actions'))
          .addColumn('at', 'bigint', notNull)
          .addColumn('staff', 'text', notNull)
          .addColumn('action', 'text', notNull)
          .addColumn('target', 'text')
          .execute();
        await index(db, 'staff_actions_at', 'staff_actions', ['at']);
      },
    },
    // Review: an approval waiting for its second reviewer (its note sealed: free text may name the
    // buyer), and the access audit, an append-only chain of who opened whose identity data and why.
    '0005_review_audit': {
      async up(db: Db): Promise<void> {
        await db.schema.createTable('review_proposals')
          .addColumn('order_id', 'text', (c) => c.primaryKey().references('orders.id'))
          .addColumn('staff', 'text', notNull)
          .addColumn('outcome', 'text', required('outcome', ['approve', 'reject']))
          .addColumn('reason', 'text', notNull)
          .addColumn('note', bytes, notNull)
          .addColumn('at', 'bigint', notNull)
          .execute();
        await db.schema.createTable('access_audit')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('at', 'bigint', notNull)
          .addColumn('staff', 'text', notNull)
          .addColumn('action', 'text', notNull)
          .addColumn('subject', 'text', notNull)
          .addColumn('reason', 'text', notNull)
          .addColumn('prev_hash', 'text', notNull)
          .addColumn('hash', 'text', notNull)
          .execute();
        await index(db, 'access_audit_subject', 'access_audit', ['subject', 'seq']);
      },
    },
    // Registration records (one per number activated, its identity sealed to the record), legal holds
    // (their reason sealed: it may name the person) and when the retention sweep emptied an order.
    '0006_registrations_retention': {
      async up(db: Db): Promise<void> {
        await db.schema.createTable('registrations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull().unique().references('orders.id'))
          .addColumn('msisdn', 'text', notNull)
          .addColumn('iccid', 'text', notNull)
          .addColumn('identity', bytes)
          .addColumn('holder_key', 'text')
          .addColumn('method', 'text', required('method', ['door_check', 'online_activation']))
          .addColumn('evidence', 'text', notNull)
          .addColumn('authority_source', 'text', notNull)
          .addColumn('authority_transaction', 'text')
          .addColumn('channel_id', 'text')
          .addColumn('courier_id', 'text')
          .addColumn('activation_attempt_id', 'text')
          .addColumn('ordered_at', 'bigint', notNull)
          .addColumn('approved_at', 'bigint')
          .addColumn('shipped_at', 'bigint')
          .addColumn('verified_at', 'bigint')
          .addColumn('activated_at', 'bigint', notNull)
          .addColumn('service_ended_at', 'bigint')
          .addColumn('purged_at', 'bigint')
          .execute();
        await index(db, 'registrations_msisdn', 'registrations', ['msisdn', 'activated_at']);
        await index(db, 'registrations_iccid', 'registrations', ['iccid']);
        await index(db, 'registrations_holder', 'registrations', ['holder_key']);
        await db.schema.createTable('legal_holds')
          .addColumn('order_id', 'text', (c) => c.primaryKey().references('orders.id'))
          .addColumn('staff', 'text', notNull)
          .addColumn('reason', bytes, notNull)
          .addColumn('at', 'bigint', notNull)
          .execute();
        await db.schema.alterTable('orders').addColumn('purged_at', 'bigint').execute();
      },
    },
    // Buyers' notices: the mobile number a buyer confirmed with an SMS code (sealed), and the outbox of
    // notices on the order's changes (their text carries nothing of the buyer's identity).
    '0007_notices': {
      async up(db: Db): Promise<void> {
        await db.schema.createTable('order_contacts')
          .addColumn('order_id', 'text', (c) => c.primaryKey().references('orders.id'))
          .addColumn('mobile', bytes, notNull)
          .addColumn('code_hash', 'text')
          .addColumn('code_expires_at', 'bigint')
          .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('code_sent_at', 'bigint', notNull)
          .addColumn('confirmed_at', 'bigint')
          .execute();
        await db.schema.createTable('notices')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('event', 'text', notNull)
          .addColumn('status', 'text', required('status', ['pending', 'sent', 'failed']))
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_at', 'bigint', notNull)
          .addColumn('claimed_until', 'bigint')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('sent_at', 'bigint')
          .execute();
        await index(db, 'notices_due', 'notices', ['status', 'next_at']);
        await index(db, 'notices_order', 'notices', ['order_id', 'created_at']);
      },
    },
    '0008_liveness_colours': {
      async up(db: Db): Promise<void> {
        // The colours a challenge showed on the screen (JSON array; '[]' for challenges issued before).
        await db.schema.alterTable('liveness_challenges').addColumn('colours', 'text', (c) => c.notNull().defaultTo('[]')).execute();
        // Perceptual hashes of each answered sequence (sealed), found again through keyed digests of
        // their 16-bit bands: a replay re-encoded is not the same bytes, but the same pictures.
        await db.schema.createTable('liveness_sequences')
          .addColumn('challenge_id', 'text', (c) => c.primaryKey())
          .addColumn('hashes', bytes, notNull)
          .addColumn('created_at', 'bigint', notNull)
          .execute();
        await index(db, 'liveness_sequences_age', 'liveness_sequences', ['created_at']);
        await db.schema.createTable('liveness_hash_bands')
          .addColumn('band', 'text', notNull)
          .addColumn('challenge_id', 'text', notNull)
          .addColumn('created_at', 'bigint', notNull)
          .addPrimaryKeyConstraint('liveness_hash_bands_pk', ['band', 'challenge_id'])
          .execute();
        await index(db, 'liveness_hash_bands_age', 'liveness_hash_bands', ['created_at']);
      },
    },
    '0009_handoffs': {
      async up(db: Db): Promise<void> {
        // A buyer who goes on with an order on another device (a phone): a one-time code's digest, and
        // once the phone took it, the digest of the phone's own token. Nothing of the buyer's identity.
        await db.schema.createTable('order_handoffs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('code_hash', 'text', (c) => c.notNull().unique())
          .addColumn('device_token_hash', 'text', (c) => c.unique())
          .addColumn('state', 'text', required('state', ['waiting', 'claimed', 'finished', 'cancelled']))
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('expires_at', 'bigint', notNull)
          .addColumn('ended_at', 'bigint')
          .execute();
        await index(db, 'order_handoffs_order', 'order_handoffs', ['order_id', 'created_at']);
      },
    },
    '0010_shipment_events': {
      async up(db: Db): Promise<void> {
        // The carrier's reports on a parcel as they came (out for delivery, delivered), with their
        // time: the buyer's page shows the parcel's journey, not only where it is now.
        await logId(db.schema.createTable('shipment_events'))
          .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
          .addColumn('status', 'text', required('status', ['out_for_delivery', 'delivered']))
          .addColumn('at', 'bigint', notNull)
          .execute();
        await index(db, 'shipment_events_order', 'shipment_events', ['order_id', 'at']);
      },
    },
    '0011_subscribers_campaigns': {
      async up(db: Db): Promise<void> {
        // The operator's existing subscribers, as its billing system knows them: the number, the card,
        // how it is registered and, for a registered one, the five-card key (a keyed digest) only.
        await db.schema.createTable('subscribers')
          .addColumn('msisdn', 'text', (c) => c.primaryKey())
          .addColumn('iccid', 'text', (c) => c.notNull().unique())
          .addColumn('registration', 'text', required('registration', ['registered', 'unregistered', 'incomplete', 'suspected_false']))
          .addColumn('channel', 'text', notNull)
          .addColumn('holder_key', 'text')
          .addColumn('service', 'text', required('service', ['active', 'suspended', 'stopped']))
          .addColumn('imported_at', 'bigint', notNull)
          .addColumn('updated_at', 'bigint', notNull)
          .execute();
        await index(db, 'subscribers_registration', 'subscribers', ['registration', 'service']);
        await index(db, 'subscribers_holder', 'subscribers', ['holder_key']);

        // A re-registration campaign: whom it is for, and its schedule (times in ms).
        await db.schema.createTable('campaigns')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', notNull)
          .addColumn('kind', 'text', required('kind', ['reregistration', 'five_cards', 'recheck']))
          .addColumn('selection', 'text', notNull)
          .addColumn('starts_at', 'bigint', notNull)
          .addColumn('deadline_at', 'bigint', notNull)
          .addColumn('remind_before', 'text', notNull)
          .addColumn('grace_ms', 'bigint', notNull)
          .addColumn('final_reminder_after_ms', 'bigint', notNull)
          .addColumn('stop_after_ms', 'bigint', notNull)
          .addColumn('created_by', 'text', notNull)
          .addColumn('created_at', 'bigint', notNull)
          .execute();

        // Each subscriber's place in a campaign, and when its next step falls due.
        await db.schema.createTable('campaign_members')
          .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id'))
          .addColumn('msisdn', 'text', (c) => c.notNull().references('subscribers.msisdn'))
          .addColumn('stage', 'text', required('stage', ['selected', 'notified', 'reminded', 'suspended', 'final_reminded', 'stopped', 'registered', 'held']))
          .addColumn('reminders_sent', 'integer', notNull)
          .addColumn('stage_at', 'bigint', notNull)
          .addColumn('due_at', 'bigint')
          .addPrimaryKeyConstraint('campaign_members_pk', ['campaign_id', 'msisdn'])
          .execute();
        await index(db, 'campaign_members_due', 'campaign_members', ['due_at']);
        await index(db, 'campaign_members_msisdn', 'campaign_members', ['msisdn', 'stage']);

        // Every step of every subscriber's lifecycle, as it was carried out.
        await logId(db.schema.createTable('campaign_steps'))
          .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id'))
          .addColumn('msisdn', 'text', notNull)
          .addColumn('step', 'text', notNull)
          .addColumn('detail', 'text')
          .addColumn('at', 'bigint', notNull)
          .execute();
        await index(db, 'campaign_steps_member', 'campaign_steps', ['campaign_id', 'msisdn', 'at']);

        // Proof of holding a number before re-registering it online: a code sent to it by SMS (its
        // keyed digest), tried a few times, used once; then a short session for that number.
        await db.schema.createTable('number_proofs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('msisdn', 'text', notNull)
          .addColumn('code_hash', 'text', notNull)
          .addColumn('sent_at', 'bigint', notNull)
          .addColumn('expires_at', 'bigint', notNull)
          .addColumn('attempts', 'integer', notNull)
          .addColumn('used_at', 'bigint')
          .execute();
        await index(db, 'number_proofs_msisdn', 'number_proofs', ['msisdn', 'sent_at']);
        await db.schema.createTable('number_sessions')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('msisdn', 'text', notNull)
          .addColumn('created_at', 'bigint', notNull)
          .addColumn('expires_at', 'bigint', notNull)
          .execute();

        // The real-name rate day by day: of the whole base (scope 'base') and of each campaign's members.
        await db.schema.createTable('real_name_days')
          .addColumn('scope', 'text', notNull)
          .addColumn('day', 'text', notNull)
          .addColumn('total', 'integer', notNull)
          .addColumn('registered', 'integer', notNull)
          .addPrimaryKeyConstraint('real_name_days_pk', ['scope', 'day'])
          .execute();
      },
    },
    // Re-registration (补登记): an order may be for a number in service already (nothing is shipped),
    // and its registration record says it was made online by re-registering.
    '0012_reregistration_orders': {
      async up(db: Db): Promise<void> {
        await widenCheck(db, engine, 'orders', 'delivery_path', ['courier_verified', 'unactivated', 'reregistration'], 'courier_verified');
        await widenCheck(db, engine, 'registrations', 'method', ['door_check', 'online_activation', 'online_reregistration'], 'door_check');
      },
    },
    // Agents admitted, not just created: the admission a channel manager records and a second person
    // approves (pending until then), the reason and evidence of every change of status, the
    // blacklist binding the business and its legal representative, and the patrol of their pages.
    '0013_agent_admission': {
      async up(db: Db): Promise<void> {
        await widenCheck(db, engine, 'channels', 'status', ['pending', 'active', 'suspended', 'blacklisted'], 'active');
        for (const [column, type] of [['admission', 'text'], ['legal_rep_key', 'text'], ['recorded_by', 'text'], ['approved_by', 'text'], ['approved_at', 'bigint']] as const) {
          await db.schema.alterTable('channels').addColumn(column, type).execute();
        }
        await db.schema.alterTable('channel_events').addColumn('reason', 'text').execute();
        await db.schema.alterTable('channel_events').addColumn('evidence', 'text').execute();
        await logId(db.schema.createTable('channel_bans'))
          .addColumn('kind', 'text', required('kind', ['credit_code', 'legal_rep']))
          .addColumn('value', 'text', notNull)
          .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
          .addColumn('reason', 'text', notNull)
          .addColumn('at', 'bigint', notNull)
          .execute();
        await index(db, 'channel_bans_value', 'channel_bans', ['kind', 'value']);
        // The pages an agent sells on, and what the patrol found on each.
        await db.schema.alterTable('channels').addColumn('pages', 'text').execute();
        await logId(db.schema.createTable('channel_patrols'))
          .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id'))
          .addColumn('page', 'text', notNull)
          .addColumn('outcome', 'text', required('outcome', ['mark_shown', 'mark_missing', 'mark_of_another', 'unreachable']))
          .addColumn('detail', 'text')
          .addColumn('at', 'bigint', notNull)
          .execute();
        await index(db, 'channel_patrols_channel', 'channel_patrols', ['channel_id', 'at']);
      },
    },
    // Monitoring: the alerts the rules raise (one open alert per rule and subject), and what was done.
    '0014_alerts': {
      async up(db: Db): Promise<void> {
        await db.schema.createTable('alerts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('rule', 'text', notNull)
          .addColumn('subject', 'text', notNull)
          .addColumn('status', 'text', required('status', ['open', 'closed']))
          .addColumn('detail', 'text', notNull)
          .addColumn('action', 'text')
          .addColumn('raised_at', 'bigint', notNull)
          .addColumn('seen_at', 'bigint', notNull)
          .addColumn('closed_at', 'bigint')
          .addColumn('closed_by', 'text')
          .execute();
        await index(db, 'alerts_open', 'alerts', ['rule', 'subject', 'status']);
        await index(db, 'alerts_raised', 'alerts', ['raised_at']);
      },
    },
    // Reports from the public and the cases they open; the reporter's identity check is an order of
    // its own path. For the monitoring: holds that lapsed without an order, per network, and the
    // sealed index of submissions' live faces.
    '0015_cases': {
      async up(db: Db): Promise<void> {
        await widenCheck(db, engine, 'orders', 'delivery_path', ['courier_verified', 'unactivated', 'reregistration', 'identity_check'], 'courier_verified');
        await db.schema.createTable('cases')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('reference', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', required('kind', ['unauthorised_shop', 'opened_in_my_name', 'fraud_number']))
          .addColumn('state', 'text', required('state', ['open', 'closed']))
          .addColumn('filed_at', 'bigint', notNull)
          .addColumn('due_at', 'bigint', notNull)
          .addColumn('assignee', 'text')
          .addColumn('outcome', 'text')
          .addColumn('closed_at', 'bigint')
          .addColumn('details', bytes, notNull)
          .addColumn('order_id', 'text', (c) => c.unique().references('orders.id'))
          .addColumn('channel_id', 'text')
          .addColumn('purged_at', 'bigint')
          .execute();
        await index(db, 'cases_queue', 'cases', ['state', 'due_at']);
        await index(db, 'cases_filed', 'cases', ['filed_at']);
        await logId(db.schema.createTable('case_events'))
          .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
          .addColumn('at', 'bigint', notNull)
          .addColumn('actor', 'text', notNull)
          .addColumn('kind', 'text', notNull)
          .addColumn('detail', bytes, notNull)
          .execute();
        await index(db, 'case_events_case', 'case_events', ['case_id', 'at']);
        await logId(db.schema.createTable('hold_lapses'))
          .addColumn('client', 'text', notNull)
          .addColumn('at', 'bigint', notNull)
          .execute();
        await index(db, 'hold_lapses_at', 'hold_lapses', ['at', 'client']);
        // The live faces of submissions, sealed, by identity: the same face under another ID number trips a rule.
        await db.schema.createTable('face_index')
          .addColumn('order_id', 'text', (c) => c.primaryKey().references('orders.id'))
          .addColumn('holder_key', 'text', notNull)
          .addColumn('face', bytes, notNull)
          .addColumn('at', 'bigint', notNull)
          .execute();
        await index(db, 'face_index_at', 'face_index', ['at']);
      },
    },
  };
}

/**
 * Whether the SQLite file was made before the shared migrations (it has the orders table); if so,
 * the statements it was made with that it has not run yet are run, and it has the schema of 0001.
 */
async function legacySqliteFile(db: Db): Promise<boolean> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === 'orders')) return false;
  const { rows } = await sql<{ user_version: number }>`PRAGMA user_version`.execute(db);
  for (let version = rows[0]?.user_version ?? 0; version < SQLITE_LEGACY_MIGRATIONS.length; version += 1) {
    for (const statement of splitStatements(SQLITE_LEGACY_MIGRATIONS[version] ?? '')) await sql.raw(statement).execute(db);
    await sql.raw(`PRAGMA user_version = ${version + 1}`).execute(db);
  }
  return true;
}

/** The statements of a legacy migration (none holds a semicolon inside a literal). */
function splitStatements(script: string): string[] {
  return script.split(';').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Replaces the list of values a NOT NULL column accepts. PostgreSQL swaps the column's check. SQLite
 * cannot alter a check: the values move to a new column with the new check, the old column is
 * dropped and the new one takes its name (SQLite wants a default for a NOT NULL column added; every
 * insert names the value).
 */
async function widenCheck(db: Db, engine: Engine, table: string, column: string, values: readonly string[], fill: string): Promise<void> {
  const allowed = sql.join(values.map((v) => sql.lit(v)));
  if (engine === 'postgres') {
    const { rows } = await sql<{ conname: string }>`SELECT conname FROM pg_constraint
      WHERE conrelid = ${table}::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE ${`%${column}%`}`.execute(db);
    for (const { conname } of rows) await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT ${sql.ref(conname)}`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} ADD CONSTRAINT ${sql.ref(`${table}_${column}_check`)} CHECK (${sql.ref(column)} IN (${allowed}))`.execute(db);
    return;
  }
  const next = `${column}_next`;
  await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN ${sql.ref(next)} TEXT NOT NULL DEFAULT ${sql.lit(fill)} CHECK (${sql.ref(next)} IN (${allowed}))`.execute(db);
  await sql`UPDATE ${sql.table(table)} SET ${sql.ref(next)} = ${sql.ref(column)}`.execute(db);
  await sql`ALTER TABLE ${sql.table(table)} DROP COLUMN ${sql.ref(column)}`.execute(db);
  await sql`ALTER TABLE ${sql.table(table)} RENAME COLUMN ${sql.ref(next)} TO ${sql.ref(column)}`.execute(db);
}
