-- Risk warnings (风险预警, issue 5): what the core's warning rules found, one row per stable
-- warning key, with the state the regulator keeps across recomputations. `body` is the core's
-- `Warning` as JSON; the columns beside it are what lists filter and sort on. `severity_rank`
-- is 0 for high, 1 for medium, 2 for low, so an ascending sort puts the worst first.
-- `raised_on` is the day (China time) the warning was last raised as new.
CREATE TABLE warnings (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
    severity_rank BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('new', 'acknowledged', 'resolved')),
    enterprise_id TEXT REFERENCES enterprises (id),
    enterprise_name TEXT NOT NULL,
    region_code TEXT,
    product_id TEXT,
    batch TEXT,
    -- The document or reconciliation item the warning is about, if any (the core's `subject`).
    subject_id TEXT,
    raised_on TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolved_at TEXT,
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    CONSTRAINT warnings_key_key UNIQUE (key)
);
CREATE INDEX warnings_enterprise ON warnings (enterprise_id, state);
CREATE INDEX warnings_region ON warnings (region_code, state, severity_rank);
CREATE INDEX warnings_product ON warnings (enterprise_id, product_id);
CREATE INDEX warnings_subject ON warnings (subject_id);
