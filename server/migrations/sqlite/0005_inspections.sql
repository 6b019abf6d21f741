-- Field inspections (现场检查, issue 5): a regulator's visit to an enterprise. `body` is the
-- core's `Inspection` as JSON; `region_code` is the inspected enterprise's, which decides which
-- regulators see it; `overall` is the worst verdict among the scanned items ('none' without
-- items), for filtering.
CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    region_code TEXT NOT NULL,
    inspector_id TEXT NOT NULL REFERENCES accounts (id),
    inspector_name TEXT NOT NULL,
    inspection_date TEXT NOT NULL,
    overall TEXT NOT NULL CHECK (overall IN ('pass', 'unknown', 'fail', 'none')),
    search TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX inspections_region ON inspections (region_code, inspection_date);
CREATE INDEX inspections_enterprise ON inspections (enterprise_id, inspection_date);

-- Photos an inspector took, uploaded before the inspection that lists them. Regulators are no
-- enterprise, so these live apart from `attachments` (whose owner is an enterprise);
-- `region_code` is the uploading regulator's.
CREATE TABLE inspection_photos (
    id TEXT PRIMARY KEY,
    uploaded_by TEXT NOT NULL REFERENCES accounts (id),
    region_code TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
);
