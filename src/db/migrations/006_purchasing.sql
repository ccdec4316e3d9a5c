-- Purchase orders to suppliers, and weekly sales per product and warehouse for the
-- replenishment forecast.

-- status: draft -> sent -> partly_received -> received; cancelled from any open state.
CREATE TABLE purchase_orders (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    supplier_id  INTEGER NOT NULL REFERENCES suppliers (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'partly_received', 'received', 'cancelled')),
    expected     TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    sent_at      TEXT,
    closed_at    TEXT,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX purchase_orders_by_status ON purchase_orders (status, id);

-- quantity and received in thousandths, unit_cost in ten-thousandths.
CREATE TABLE purchase_lines (
    po_id      INTEGER NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    received   INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= quantity),
    unit_cost  INTEGER NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    PRIMARY KEY (po_id, line)
) STRICT, WITHOUT ROWID;
CREATE INDEX purchase_lines_by_product ON purchase_lines (product_id);

-- Units shipped per product, warehouse and ISO week ('2026-W48'), kept by a trigger in
-- the same statement as each shipment move: the forecast reads weeks, never the ledger.
CREATE TABLE weekly_sales (
    product_id   INTEGER NOT NULL REFERENCES products (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    week         TEXT NOT NULL,
    shipped      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, warehouse_id, week)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER stock_moves_weekly_sales AFTER INSERT ON stock_moves WHEN NEW.kind = 'shipment' BEGIN
    INSERT INTO weekly_sales (product_id, warehouse_id, week, shipped)
        VALUES (NEW.product_id, NEW.warehouse_id,
                -- ISO week of the day: its Thursday decides the year (portable to SQLite before 3.46).
                strftime('%Y', NEW.at, 'weekday 0', '-3 days') || '-W' ||
                    printf('%02d', (strftime('%j', NEW.at, 'weekday 0', '-3 days') - 1) / 7 + 1),
                -NEW.quantity)
        ON CONFLICT (product_id, warehouse_id, week) DO UPDATE SET shipped = shipped + excluded.shipped;
END;
INSERT INTO weekly_sales (product_id, warehouse_id, week, shipped)
    SELECT product_id, warehouse_id,
           strftime('%Y', at, 'weekday 0', '-3 days') || '-W' ||
               printf('%02d', (strftime('%j', at, 'weekday 0', '-3 days') - 1) / 7 + 1),
           -SUM(quantity)
    FROM stock_moves WHERE kind = 'shipment' GROUP BY 1, 2, 3;

-- When each product last sold and was last received in each warehouse: what the slow
-- movers report reads instead of searching the ledger.
ALTER TABLE stock_levels ADD COLUMN last_sold TEXT;
ALTER TABLE stock_levels ADD COLUMN last_received TEXT;
CREATE TRIGGER stock_moves_last_dates AFTER INSERT ON stock_moves WHEN NEW.kind IN ('shipment', 'receipt') BEGIN
    UPDATE stock_levels SET
        last_sold = CASE WHEN NEW.kind = 'shipment' THEN max(coalesce(last_sold, ''), NEW.at) ELSE last_sold END,
        last_received = CASE WHEN NEW.kind = 'receipt' THEN max(coalesce(last_received, ''), NEW.at) ELSE last_received END
    WHERE product_id = NEW.product_id AND warehouse_id = NEW.warehouse_id;
END;
UPDATE stock_levels SET
    last_sold = (SELECT max(at) FROM stock_moves m WHERE m.product_id = stock_levels.product_id
                 AND m.warehouse_id = stock_levels.warehouse_id AND m.kind = 'shipment'),
    last_received = (SELECT max(at) FROM stock_moves m WHERE m.product_id = stock_levels.product_id
                     AND m.warehouse_id = stock_levels.warehouse_id AND m.kind = 'receipt');

-- A trigram index of the products' search text: a filter of three or more characters
-- finds its products without reading every row (half a million products in a big shop).
CREATE VIRTUAL TABLE products_fts USING fts5(search, content = 'products', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO products_fts (products_fts) VALUES ('rebuild');
CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, search) VALUES (NEW.id, NEW.search);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, search) VALUES ('delete', OLD.id, OLD.search);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE OF search ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, search) VALUES ('delete', OLD.id, OLD.search);
    INSERT INTO products_fts (rowid, search) VALUES (NEW.id, NEW.search);
END;

-- How many products are active and archived, kept by triggers: the unfiltered list's
-- count without reading every product.
CREATE TABLE product_counts (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    active   INTEGER NOT NULL,
    archived INTEGER NOT NULL
) STRICT;
INSERT INTO product_counts (id, active, archived)
    SELECT 1, count(*) FILTER (WHERE archived_at IS NULL), count(*) FILTER (WHERE archived_at IS NOT NULL) FROM products;
CREATE TRIGGER products_count_insert AFTER INSERT ON products BEGIN
    UPDATE product_counts SET active = active + (NEW.archived_at IS NULL), archived = archived + (NEW.archived_at IS NOT NULL);
END;
CREATE TRIGGER products_count_delete AFTER DELETE ON products BEGIN
    UPDATE product_counts SET active = active - (OLD.archived_at IS NULL), archived = archived - (OLD.archived_at IS NOT NULL);
END;
CREATE TRIGGER products_count_archive AFTER UPDATE OF archived_at ON products
    WHEN (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL) BEGIN
    UPDATE product_counts SET active = active + (NEW.archived_at IS NULL) - (OLD.archived_at IS NULL),
        archived = archived + (NEW.archived_at IS NOT NULL) - (OLD.archived_at IS NOT NULL);
END;
