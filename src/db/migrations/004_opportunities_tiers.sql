-- Sales opportunities through a pipeline of stages the shop may rename or extend, and the
-- terms that come with a customer tier.

-- outcome: 'open' stages are the pipeline; 'won' and 'lost' end it.
CREATE TABLE stages (
    code        TEXT PRIMARY KEY COLLATE NOCASE,
    name        TEXT NOT NULL,
    rank        INTEGER NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    outcome     TEXT NOT NULL CHECK (outcome IN ('open', 'won', 'lost'))
) STRICT;
INSERT INTO stages (code, name, rank, probability, outcome) VALUES
    ('lead', 'Lead', 1, 10, 'open'),
    ('qualified', 'Qualified', 2, 25, 'open'),
    ('proposal', 'Proposal', 3, 50, 'open'),
    ('negotiation', 'Negotiation', 4, 75, 'open'),
    ('won', 'Won', 5, 100, 'won'),
    ('lost', 'Lost', 6, 0, 'lost');

-- value in minor units (cents); probability in percent.
CREATE TABLE opportunities (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    title          TEXT NOT NULL,
    stage          TEXT NOT NULL COLLATE NOCASE REFERENCES stages (code) ON UPDATE CASCADE,
    value          INTEGER NOT NULL CHECK (value >= 0),
    probability    INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    expected_close TEXT NOT NULL DEFAULT '',
    owner          TEXT NOT NULL DEFAULT '',
    next_step      TEXT NOT NULL DEFAULT '',
    lost_reason    TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX opportunities_by_stage ON opportunities (stage, expected_close, id);
CREATE INDEX opportunities_by_customer ON opportunities (customer_id, stage);
CREATE INDEX opportunities_by_owner ON opportunities (owner, expected_close, id);

-- Per stage: how many, their value, and value x probability (cents x percent), kept by
-- triggers in the same transaction so the board's totals cost nothing.
CREATE TABLE stage_totals (
    stage    TEXT PRIMARY KEY COLLATE NOCASE REFERENCES stages (code) ON UPDATE CASCADE ON DELETE CASCADE,
    count    INTEGER NOT NULL DEFAULT 0,
    value    INTEGER NOT NULL DEFAULT 0,
    weighted INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO stage_totals (stage) SELECT code FROM stages;
CREATE TRIGGER stages_get_totals AFTER INSERT ON stages BEGIN
    INSERT INTO stage_totals (stage) VALUES (NEW.code);
END;
CREATE TRIGGER opportunities_total_insert AFTER INSERT ON opportunities BEGIN
    UPDATE stage_totals SET count = count + 1, value = value + NEW.value,
        weighted = weighted + NEW.value * NEW.probability WHERE stage = NEW.stage;
END;
CREATE TRIGGER opportunities_total_delete AFTER DELETE ON opportunities BEGIN
    UPDATE stage_totals SET count = count - 1, value = value - OLD.value,
        weighted = weighted - OLD.value * OLD.probability WHERE stage = OLD.stage;
END;
CREATE TRIGGER opportunities_total_update AFTER UPDATE OF stage, value, probability ON opportunities BEGIN
    UPDATE stage_totals SET count = count - 1, value = value - OLD.value,
        weighted = weighted - OLD.value * OLD.probability WHERE stage = OLD.stage;
    UPDATE stage_totals SET count = count + 1, value = value + NEW.value,
        weighted = weighted + NEW.value * NEW.probability WHERE stage = NEW.stage;
END;

-- Tier terms: default discount in hundredths of a percent (1000 = 10.00 %), credit limit
-- in minor units (0 = no limit), payment terms in days.
ALTER TABLE tiers ADD COLUMN discount_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tiers ADD COLUMN credit_limit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tiers ADD COLUMN payment_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE tiers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
UPDATE tiers SET discount_bp = 1000, credit_limit = 5000000, payment_days = 60 WHERE code = 'VIP';
UPDATE tiers SET discount_bp = 500, credit_limit = 2000000, payment_days = 45 WHERE code = 'A';
UPDATE tiers SET discount_bp = 200, credit_limit = 500000, payment_days = 30 WHERE code = 'B';
UPDATE tiers SET discount_bp = 0, credit_limit = 100000, payment_days = 14 WHERE code = 'C';
