-- Serialized unit codes (issue 8): issuance, packaging, each code's state and history, the
-- audited upload files and the counterfeit signals they raise. A code is its 24 digits as
-- text; its state, once it moved, is the core's `UnitState` as JSON, with the enterprise that
-- the records last place it with beside it for lookups.

-- The platform's 5-digit identifier of an enterprise inside its codes, given at its first
-- application.
CREATE TABLE code_enterprise_numbers (
    enterprise_id TEXT PRIMARY KEY REFERENCES enterprises (id),
    number BIGINT NOT NULL CHECK (number BETWEEN 0 AND 99999),
    CONSTRAINT code_enterprise_numbers_number_key UNIQUE (number)
);

CREATE TABLE code_applications (
    id TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    batch TEXT NOT NULL,
    level TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    applied_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX code_applications_enterprise ON code_applications (enterprise_id, created_at);

-- The primary key is what makes a code unique, whoever applies at the same moment. What every
-- code of an application shares (product, batch, level, applicant) stays on the application,
-- and a code never moved keeps NULL state, seen_at and updated_at (issued to the applicant,
-- at the application's time): issuing a million codes writes little more than the codes.
CREATE TABLE unit_codes (
    code TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES code_applications (id),
    seq BIGINT NOT NULL,
    state TEXT,
    seen_at TEXT,
    parent TEXT,
    updated_at TEXT
);
CREATE INDEX unit_codes_application ON unit_codes (application_id, seq);
-- Only packed codes have a parent: the index leaves the others out, so issuing one costs
-- nothing here.
CREATE INDEX unit_codes_parent ON unit_codes (parent) WHERE parent IS NOT NULL;

CREATE TABLE unit_uploads (
    id TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    vendor TEXT NOT NULL,
    counterparty_id TEXT,
    accepted BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT unit_uploads_number_key UNIQUE (enterprise_id, kind, number)
);

-- Every accepted move of a code (an upload line, a scan, packing), oldest first per code.
CREATE TABLE unit_events (
    code TEXT NOT NULL,
    at TEXT NOT NULL,
    n BIGINT NOT NULL,
    enterprise_id TEXT NOT NULL,
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    upload_id TEXT,
    document_number TEXT
);
CREATE INDEX unit_events_code ON unit_events (code, at, n);

-- Refusals where a code turned up where its records do not place it (or was never issued).
CREATE TABLE unit_signals (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    region_code TEXT NOT NULL,
    upload_id TEXT,
    rule TEXT NOT NULL,
    seen_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX unit_signals_region ON unit_signals (region_code, created_at);
CREATE INDEX unit_signals_code ON unit_signals (code);
