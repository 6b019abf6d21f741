-- Recalls and nonconforming listings as the service runs them (issue 5). A recall or listing
-- belongs to a region: the regulator's that started it, or the reporting enterprise's; a
-- regulator sees those of its region.
ALTER TABLE recalls ADD COLUMN region_code TEXT;
CREATE INDEX recalls_region ON recalls (region_code, created_at);
CREATE INDEX recalls_initiator ON recalls (initiator_enterprise_id);
CREATE INDEX nonconforming_region ON nonconforming (region_code, created_at);
CREATE INDEX nonconforming_reporter ON nonconforming (reported_by);

-- What a holder received and what was on its way to it when the recall reached it
-- (quantity_held includes the latter), and the same per batch as JSON.
ALTER TABLE recall_holders ADD COLUMN quantity_received BIGINT NOT NULL DEFAULT 0;
ALTER TABLE recall_holders ADD COLUMN quantity_in_transit BIGINT NOT NULL DEFAULT 0;
ALTER TABLE recall_holders ADD COLUMN batches TEXT NOT NULL DEFAULT '[]';

-- One row per enterprise a nonconforming listing reached (it was notified; its sales of the
-- batches are blocked like everyone's).
CREATE TABLE nonconforming_holders (
    listing_id TEXT NOT NULL REFERENCES nonconforming (id),
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    quantity_received BIGINT NOT NULL,
    quantity_held BIGINT NOT NULL,
    batches TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (listing_id, enterprise_id)
);
CREATE INDEX nonconforming_holders_enterprise ON nonconforming_holders (enterprise_id);
