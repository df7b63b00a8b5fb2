/**
 * The schema as SQLite files made before the shared migrations were built, PRAGMA user_version
 * counting how many ran. Only to bring such a file up to date; new changes go to migrations.ts.
 *
 * Identity data never sits in these tables in clear: `orders.identity` is sealed with the envelope key.
 */
export const SQLITE_LEGACY_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE numbers (
    msisdn TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('available', 'held', 'assigned')),
    hold_id TEXT UNIQUE,
    hold_token_hash TEXT,
    held_until INTEGER,
    order_id TEXT
  );
  CREATE INDEX numbers_status ON numbers (status, msisdn);

  CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    msisdn TEXT NOT NULL,
    delivery_path TEXT NOT NULL CHECK (delivery_path IN ('courier_verified', 'unactivated')),
    consent_at INTEGER,
    consent_version TEXT,
    identity BLOB,
    checks TEXT,
    decision TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    hold_expires_at INTEGER NOT NULL
  );
  CREATE INDEX orders_state ON orders (state, hold_expires_at);

  CREATE TABLE evidence (
    order_id TEXT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL CHECK (kind IN ('portrait', 'emblem', 'handheld')),
    object_id TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    PRIMARY KEY (order_id, kind)
  );

  CREATE TABLE transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    from_state TEXT,
    to_state TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL
  );
  CREATE INDEX transitions_order ON transitions (order_id, id);
  `,
  // The largest face found in a photo (its descriptor is biometric data: sealed like the photo).
  `
  ALTER TABLE evidence ADD COLUMN face BLOB;
  `,
  // Codes of what was wrong with a photo when it was taken (no identity data), for the decision.
  `
  ALTER TABLE evidence ADD COLUMN problems TEXT NOT NULL DEFAULT '[]';
  `,
  // Live video checks: one row per challenge issued; the frame kept (the most frontal one) is an
  // encrypted object, its face descriptor is sealed. Frame digests are keyed hashes, to refuse a replay.
  `
  CREATE TABLE liveness_challenges (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    actions TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    answered_at INTEGER,
    outcome TEXT CHECK (outcome IN ('passed', 'failed', 'review')),
    reasons TEXT,
    score REAL,
    object_id TEXT,
    face BLOB
  );
  CREATE INDEX liveness_challenges_order ON liveness_challenges (order_id, issued_at);

  CREATE TABLE liveness_frame_digests (
    digest TEXT PRIMARY KEY,
    challenge_id TEXT NOT NULL
  );
  `,
  // Card numbers found in the hand-held photo (identity data: sealed like the photo's face).
  `
  ALTER TABLE evidence ADD COLUMN card_numbers BLOB;
  `,
  // The five-card cap (一证五卡): orders carry a keyed hash of the buyer's ID number, never the
  // number; cards held through other channels are counted per hash too.
  `
  ALTER TABLE orders ADD COLUMN holder_key TEXT;
  CREATE INDEX orders_holder ON orders (holder_key, state);
  CREATE TABLE holder_cards (
    holder_key TEXT PRIMARY KEY,
    cards INTEGER NOT NULL CHECK (cards >= 0)
  );
  `,
  // After approval. SIM cards in stock; a shipment per approved order (the hand-over code is sealed,
  // the buyer is shown it); couriers' credentials (hashes); every hand-over and activation attempt;
  // provisioning requests as an outbox, each with its idempotency key, done exactly once.
  // Live checks carry their purpose: the purchase, or an activation attempt.
  `
  CREATE TABLE sim_cards (
    iccid TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('available', 'packed', 'active', 'returned')),
    order_id TEXT UNIQUE REFERENCES orders (id)
  );
  CREATE INDEX sim_cards_status ON sim_cards (status, iccid);

  CREATE TABLE shipments (
    order_id TEXT PRIMARY KEY REFERENCES orders (id),
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL UNIQUE,
    iccid TEXT NOT NULL REFERENCES sim_cards (iccid),
    handover_code BLOB,
    code_failures INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('in_transit', 'out_for_delivery', 'delivered', 'handed_over', 'refused', 'returned')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    activation_failures INTEGER NOT NULL DEFAULT 0,
    activation_locked_until INTEGER
  );

  CREATE TABLE couriers (
    id TEXT PRIMARY KEY,
    company TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
  );

  CREATE TABLE handovers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    courier_id TEXT NOT NULL REFERENCES couriers (id),
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('handed_over', 'refused')),
    reasons TEXT NOT NULL,
    card_object_id TEXT,
    face_object_id TEXT,
    score REAL
  );
  CREATE INDEX handovers_order ON handovers (order_id, id);

  CREATE TABLE activation_attempts (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    token_hash TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT CHECK (outcome IN ('activated', 'failed')),
    reasons TEXT,
    card_object_id TEXT,
    card_read BLOB
  );
  CREATE INDEX activation_attempts_order ON activation_attempts (order_id, started_at);

  CREATE TABLE provisioning_jobs (
    idempotency_key TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE REFERENCES orders (id),
    operation TEXT NOT NULL CHECK (operation IN ('activate')),
    iccid TEXT NOT NULL,
    msisdn TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    done_at INTEGER
  );
  CREATE INDEX provisioning_jobs_due ON provisioning_jobs (status, next_at);

  ALTER TABLE liveness_challenges ADD COLUMN purpose TEXT NOT NULL DEFAULT 'purchase';
  `,
  // Sales channels (authorised agents). Every order belongs to one; the webhook secret is sealed.
  `
  CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    agent_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    licence_number TEXT NOT NULL,
    scope TEXT NOT NULL,
    origins TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'blacklisted')),
    webhook_url TEXT,
    webhook_secret BLOB NOT NULL,
    api_key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE channel_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL REFERENCES channels (id),
    at INTEGER NOT NULL,
    change TEXT NOT NULL,
    actor TEXT NOT NULL
  );
  ALTER TABLE orders ADD COLUMN channel_id TEXT REFERENCES channels (id);
  ALTER TABLE orders ADD COLUMN channel_flag TEXT;
  CREATE INDEX orders_channel ON orders (channel_id, state);

  CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at);
  CREATE INDEX webhook_deliveries_channel ON webhook_deliveries (channel_id, created_at);
  `,
  // Running for real. Holds remember their client (a keyed digest) for the cap on holds per client;
  // numbers and cards remember whether the sandbox made them (production offers neither). Cards
  // carry the keyed digest of the activation code printed in their pack (the sandbox also keeps the
  // code sealed, to show it to QA). Couriers may be supervisors; hand-overs record the courier's
  // confirmation, the device's time and the recipient's face against the buyer's live check.
  // Channels are agents or the operator's own storefront. Frame digests and the readiness probe get
  // their times.
  `
  ALTER TABLE numbers ADD COLUMN hold_client TEXT;
  ALTER TABLE numbers ADD COLUMN origin TEXT NOT NULL DEFAULT 'sandbox' CHECK (origin IN ('sandbox', 'import'));
  CREATE INDEX numbers_hold_client ON numbers (hold_client, status);

  ALTER TABLE sim_cards ADD COLUMN pack_code_hash TEXT;
  ALTER TABLE sim_cards ADD COLUMN sandbox_pack_code BLOB;
  ALTER TABLE sim_cards ADD COLUMN origin TEXT NOT NULL DEFAULT 'sandbox' CHECK (origin IN ('sandbox', 'import'));

  ALTER TABLE couriers ADD COLUMN role TEXT NOT NULL DEFAULT 'courier' CHECK (role IN ('courier', 'supervisor'));

  ALTER TABLE handovers ADD COLUMN confirmed_at INTEGER;
  ALTER TABLE handovers ADD COLUMN device_time TEXT;
  ALTER TABLE handovers ADD COLUMN live_score REAL;
  ALTER TABLE handovers ADD COLUMN supervisor_id TEXT REFERENCES couriers (id);

  ALTER TABLE channels ADD COLUMN kind TEXT NOT NULL DEFAULT 'agent' CHECK (kind IN ('agent', 'operator'));

  ALTER TABLE liveness_frame_digests ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
  UPDATE liveness_frame_digests SET created_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
  CREATE INDEX liveness_frame_digests_age ON liveness_frame_digests (created_at);

  CREATE TABLE readiness_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
  `,
  // What the keyring the data was made under looks like: a keyed digest (its digest root) and a
  // value sealed under its evidence keys. A start with another keyring is refused.
  `
  CREATE TABLE keyring_check (id INTEGER PRIMARY KEY CHECK (id = 1), digest TEXT NOT NULL, sealed BLOB NOT NULL);
  `,
];
