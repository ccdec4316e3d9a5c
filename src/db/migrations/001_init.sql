-- The foundation: who works here, what they did, and the customers.

CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('clerk', 'manager', 'admin')),
    created_at TEXT NOT NULL
) STRICT;

-- Append-only record of every write: who, when, what.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- Named sequences (generated customer codes now; invoice series later).
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL
) STRICT;

-- Customer tiers; the tiers issue adds discount, credit limit and terms.
CREATE TABLE tiers (
    code TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL,
    rank INTEGER NOT NULL
) STRICT;
INSERT INTO tiers (code, name, rank) VALUES ('VIP', 'VIP', 1), ('A', 'A', 2), ('B', 'B', 3), ('C', 'C', 4);

-- Text columns are NOT NULL with '' for "not given" so keyset paging never meets NULL.
-- tier holds a tiers.code or ''; ops checks it against tiers (no FK: '' means none).
CREATE TABLE customers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name        TEXT NOT NULL COLLATE NOCASE,
    company     TEXT NOT NULL DEFAULT '',
    contact     TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    region      TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    tier        TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    salesperson TEXT NOT NULL DEFAULT '',
    tax_id      TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    search      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    archived_at TEXT,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
-- One index per sortable column, ending in id, so every list page is a keyset range scan.
CREATE INDEX customers_by_name    ON customers (name, id);
CREATE INDEX customers_by_city    ON customers (city, id);
CREATE INDEX customers_by_region  ON customers (region, id);
CREATE INDEX customers_by_tier    ON customers (tier, id);
CREATE INDEX customers_by_created ON customers (created_at, id);
