-- How many customers are active and archived, kept current by triggers in the same
-- transaction as every change, so an unfiltered list knows its length without a scan.
-- `shopdesk check` proves it equals a real count.
CREATE TABLE customer_counts (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    active   INTEGER NOT NULL,
    archived INTEGER NOT NULL
) STRICT;
INSERT INTO customer_counts (id, active, archived) VALUES (
    1,
    (SELECT COUNT(*) FROM customers WHERE archived_at IS NULL),
    (SELECT COUNT(*) FROM customers WHERE archived_at IS NOT NULL)
);

CREATE TRIGGER customers_counted_on_insert AFTER INSERT ON customers BEGIN
    UPDATE customer_counts SET
        active = active + (NEW.archived_at IS NULL),
        archived = archived + (NEW.archived_at IS NOT NULL);
END;

CREATE TRIGGER customers_counted_on_delete AFTER DELETE ON customers BEGIN
    UPDATE customer_counts SET
        active = active - (OLD.archived_at IS NULL),
        archived = archived - (OLD.archived_at IS NOT NULL);
END;

CREATE TRIGGER customers_counted_on_archive AFTER UPDATE OF archived_at ON customers BEGIN
    UPDATE customer_counts SET
        active = active + (NEW.archived_at IS NULL) - (OLD.archived_at IS NULL),
        archived = archived + (NEW.archived_at IS NOT NULL) - (OLD.archived_at IS NOT NULL);
END;

-- The usual list shows active customers only: partial indexes let its pages and its
-- position counts run on the index alone, without visiting archived rows.
CREATE INDEX customers_active_by_name    ON customers (name, id)       WHERE archived_at IS NULL;
CREATE INDEX customers_active_by_code    ON customers (code, id)       WHERE archived_at IS NULL;
CREATE INDEX customers_active_by_city    ON customers (city, id)       WHERE archived_at IS NULL;
CREATE INDEX customers_active_by_region  ON customers (region, id)     WHERE archived_at IS NULL;
CREATE INDEX customers_active_by_tier    ON customers (tier, id)       WHERE archived_at IS NULL;
CREATE INDEX customers_active_by_created ON customers (created_at, id) WHERE archived_at IS NULL;
