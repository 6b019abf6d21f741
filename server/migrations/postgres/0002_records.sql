-- Every enterprise module's records. As in 0001: ids and timestamps are text (UUID, RFC 3339
-- UTC), `body` is the full record as JSON (the core's serde types), and the columns beside it
-- are what queries filter, sort, join and search on. `search` is the lower-cased text a keyword
-- matches (name, brand, numbers), so one LIKE serves both databases.

-- Per-enterprise counters, taken under the row lock that serialises an enterprise's submits:
-- the head of its document hash chain and the last sequence number of its change feed.
ALTER TABLE enterprises ADD COLUMN chain_head TEXT;
ALTER TABLE enterprises ADD COLUMN feed_seq BIGINT NOT NULL DEFAULT 0;

-- Uploaded files (licences, test reports, barcode photos), kept in the database so a backup of
-- it is a backup of everything.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_id);

-- The product library. Registration data is public (NMPA publishes it) and a product's id is
-- what every later holder's documents refer to, so any enterprise may read any product; only
-- its owner writes it.
CREATE TABLE products (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES enterprises (id),
    generic_name TEXT NOT NULL,
    brand TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX products_owner ON products (owner_id, updated_at);
CREATE INDEX products_registration ON products (registration_number);

CREATE TABLE barcodes (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES enterprises (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    gtin TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT barcodes_owner_gtin_key UNIQUE (owner_id, gtin)
);
CREATE INDEX barcodes_gtin ON barcodes (gtin);
CREATE INDEX barcodes_product ON barcodes (product_id);

-- Suppliers and customers one enterprise keeps; `enterprise_id` links a registered one.
CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES enterprises (id),
    role TEXT NOT NULL CHECK (role IN ('supplier', 'customer')),
    state TEXT NOT NULL CHECK (state IN ('normal', 'disabled')),
    name TEXT NOT NULL,
    uscc TEXT NOT NULL,
    region_code TEXT NOT NULL,
    enterprise_id TEXT REFERENCES enterprises (id),
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT partners_owner_role_uscc_key UNIQUE (owner_id, role, uscc)
);
CREATE INDEX partners_owner ON partners (owner_id, role, updated_at);

-- Documents of the five kinds. A draft's lines live only in its body; at submit they are also
-- written to transaction_lines, which stock, trace and recalls read.
CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL CHECK (kind IN ('finished_goods_inbound', 'purchase_inbound',
        'purchase_return', 'sales_outbound', 'sales_return')),
    number TEXT NOT NULL,
    doc_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    submitted_at TEXT,
    counterparty_enterprise_id TEXT REFERENCES enterprises (id),
    counterparty_name TEXT NOT NULL,
    corrects TEXT REFERENCES transactions (id),
    corrected_by TEXT REFERENCES transactions (id),
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    -- SHA-256 over the submitted body and the enterprise's previous chain head.
    content_hash TEXT,
    prev_hash TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT transactions_enterprise_number_key UNIQUE (enterprise_id, number)
);
CREATE INDEX transactions_list ON transactions (enterprise_id, status, doc_date);
CREATE INDEX transactions_counterparty ON transactions (counterparty_enterprise_id);
CREATE INDEX transactions_chain ON transactions (enterprise_id, submitted_at);

-- One row per line of a submitted document: the flat index a batch trace and a recall read.
-- `counted` is 0 once a later submitted document corrects this one.
CREATE TABLE transaction_lines (
    transaction_id TEXT NOT NULL REFERENCES transactions (id),
    line_no BIGINT NOT NULL,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL,
    doc_date TEXT NOT NULL,
    product_id TEXT NOT NULL,
    batch TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit TEXT NOT NULL,
    expiry_date TEXT,
    counterparty_enterprise_id TEXT,
    counterparty_uscc TEXT,
    counterparty_name TEXT NOT NULL,
    counted BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (transaction_id, line_no)
);
CREATE INDEX transaction_lines_batch ON transaction_lines (product_id, batch);
CREATE INDEX transaction_lines_holder ON transaction_lines (enterprise_id, product_id, batch);

-- The stock ledger, kept in step with transaction_lines in the submit transaction.
CREATE TABLE stock (
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    product_id TEXT NOT NULL,
    batch TEXT NOT NULL,
    inbound BIGINT NOT NULL DEFAULT 0,
    outbound BIGINT NOT NULL DEFAULT 0,
    opening BIGINT NOT NULL DEFAULT 0,
    expiry_date TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, product_id, batch)
);
CREATE INDEX stock_batch ON stock (product_id, batch);

-- Stock declared at submit under an explicit override (期初库存), kept as an anomaly.
CREATE TABLE opening_balances (
    transaction_id TEXT NOT NULL REFERENCES transactions (id),
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    product_id TEXT NOT NULL,
    batch TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (transaction_id, product_id, batch)
);

-- The reconciliation inbox (勾兑): items from one enterprise's submit to another.
CREATE TABLE reconciliation_items (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES transactions (id),
    source_number TEXT NOT NULL,
    from_enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    to_enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'disputed', 'superseded')),
    item_date TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX reconciliation_inbox ON reconciliation_items (to_enterprise_id, state, item_date);
CREATE INDEX reconciliation_outbox ON reconciliation_items (from_enterprise_id, state);
CREATE INDEX reconciliation_source ON reconciliation_items (source_id);

-- Nonconforming listings and recalls; regulators write them (issue 5), enterprises read the
-- ones that concern them and report on recalls.
CREATE TABLE nonconforming (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL,
    reported_by TEXT REFERENCES enterprises (id),
    region_code TEXT,
    state TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX nonconforming_product ON nonconforming (product_id);

CREATE TABLE recalls (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'completed')),
    initiator_enterprise_id TEXT REFERENCES enterprises (id),
    initiator_region_code TEXT,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX recalls_product ON recalls (product_id);

-- One row per enterprise a recall reaches: what it held, acknowledged and reported.
CREATE TABLE recall_holders (
    recall_id TEXT NOT NULL REFERENCES recalls (id),
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    quantity_held BIGINT NOT NULL,
    acknowledged_at TEXT,
    quantity_returned BIGINT NOT NULL DEFAULT 0,
    quantity_destroyed BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (recall_id, enterprise_id)
);
CREATE INDEX recall_holders_enterprise ON recall_holders (enterprise_id);

-- Answers of idempotent calls (batch import, sync push, submit with Idempotency-Key): a retry
-- with the same key gets the first answer and writes nothing.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Every write: who, when, what, and the record before and after.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    account_id TEXT,
    enterprise_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_body TEXT,
    after_body TEXT
);
CREATE INDEX audit_log_enterprise ON audit_log (enterprise_id, id);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- What changed for each enterprise, in the order its phone should pull it (sync). `seq` comes
-- from enterprises.feed_seq under that enterprise's row lock, so a cursor never skips a row
-- that commits late.
CREATE TABLE change_feed (
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    seq BIGINT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, seq)
);
