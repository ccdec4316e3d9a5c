-- Products, suppliers, warehouses and the stock ledger.
-- Quantities are INTEGER thousandths of a unit (weighed goods), prices and costs INTEGER
-- ten-thousandths of the currency, tax rates hundredths of a percent (1900 = 19.00 %).

CREATE TABLE suppliers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name         TEXT NOT NULL,
    contact      TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    lead_days    INTEGER NOT NULL DEFAULT 7 CHECK (lead_days >= 0),
    payment_days INTEGER NOT NULL DEFAULT 30 CHECK (payment_days >= 0),
    archived_at  TEXT,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE warehouses (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name           TEXT NOT NULL,
    allow_negative INTEGER NOT NULL DEFAULT 0 CHECK (allow_negative IN (0, 1)),
    is_default     INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    archived_at    TEXT,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;
-- At most one default: the database refuses a second rather than trusting every writer.
CREATE UNIQUE INDEX warehouses_one_default ON warehouses (is_default) WHERE is_default = 1;
INSERT INTO warehouses (code, name, is_default) VALUES ('MAIN', 'Main warehouse', 1);

-- category is a path of names from the top, e.g. 'Food/Dairy/Cheese': its parents are its
-- prefixes, so a report or a count sheet for 'Food' takes everything under it.
CREATE TABLE products (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    sku            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name           TEXT NOT NULL,
    category       TEXT NOT NULL DEFAULT '',
    unit           TEXT NOT NULL DEFAULT 'pcs',
    sale_price     INTEGER NOT NULL DEFAULT 0 CHECK (sale_price >= 0),
    cost_price     INTEGER NOT NULL DEFAULT 0 CHECK (cost_price >= 0),
    tax_rate_bp    INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    reorder_point  INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    reorder_qty    INTEGER NOT NULL DEFAULT 0 CHECK (reorder_qty >= 0),
    lead_days      INTEGER NOT NULL DEFAULT 0 CHECK (lead_days >= 0),
    supplier_id    INTEGER REFERENCES suppliers (id),
    supplier_sku   TEXT NOT NULL DEFAULT '',
    supplier_price INTEGER NOT NULL DEFAULT 0 CHECK (supplier_price >= 0),
    tracks_lots    INTEGER NOT NULL DEFAULT 0 CHECK (tracks_lots IN (0, 1)),
    allow_negative INTEGER NOT NULL DEFAULT 0 CHECK (allow_negative IN (0, 1)),
    archived_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    -- Lower-case sku, name, category and barcodes: what the list filter searches.
    search         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX products_by_name ON products (name COLLATE NOCASE, id);
CREATE INDEX products_by_category ON products (category, id);
CREATE INDEX products_by_supplier ON products (supplier_id);

-- A product may have several barcodes (the maker's EAN, the shop's own label...).
CREATE TABLE barcodes (
    code       TEXT PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX barcodes_by_product ON barcodes (product_id);

CREATE TABLE lots (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id),
    code       TEXT NOT NULL,
    expiry     TEXT NOT NULL DEFAULT '',
    UNIQUE (product_id, code)
) STRICT;

-- The ledger: the truth about stock. Rows are only ever added.
CREATE TABLE stock_moves (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    user         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('receipt', 'shipment', 'return', 'adjustment', 'count',
                                               'transfer_out', 'transfer_in', 'scrap', 'expiry')),
    product_id   INTEGER NOT NULL REFERENCES products (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    lot_id       INTEGER REFERENCES lots (id),
    quantity     INTEGER NOT NULL CHECK (quantity <> 0),
    unit_cost    INTEGER NOT NULL DEFAULT 0,
    reference    TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX stock_moves_by_product ON stock_moves (product_id, warehouse_id, id);
CREATE INDEX stock_moves_by_lot ON stock_moves (lot_id, warehouse_id) WHERE lot_id IS NOT NULL;
CREATE TRIGGER stock_moves_no_update BEFORE UPDATE ON stock_moves BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only: post a correcting move instead');
END;
CREATE TRIGGER stock_moves_no_delete BEFORE DELETE ON stock_moves BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only: post a correcting move instead');
END;

-- Levels per product x warehouse, one row for every pair (made by the triggers below), so
-- a move only ever updates. reorder_point/reorder_qty are the effective values: the
-- product's default unless overridden for this warehouse.
CREATE TABLE stock_levels (
    product_id    INTEGER NOT NULL REFERENCES products (id),
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses (id),
    on_hand       INTEGER NOT NULL DEFAULT 0,
    reserved      INTEGER NOT NULL DEFAULT 0,
    incoming      INTEGER NOT NULL DEFAULT 0,
    reorder_point INTEGER NOT NULL DEFAULT 0,
    reorder_qty   INTEGER NOT NULL DEFAULT 0,
    overridden    INTEGER NOT NULL DEFAULT 0 CHECK (overridden IN (0, 1)),
    PRIMARY KEY (product_id, warehouse_id)
) STRICT, WITHOUT ROWID;
-- Low stock is "available + incoming below the reorder point": indexing that difference
-- makes the alert list and its count a range read instead of a scan of every pair.
CREATE INDEX stock_levels_shortfall
    ON stock_levels (on_hand - reserved + incoming - reorder_point, warehouse_id, product_id);

CREATE TABLE lot_levels (
    lot_id       INTEGER NOT NULL REFERENCES lots (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    on_hand      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (lot_id, warehouse_id)
) STRICT, WITHOUT ROWID;
-- Most lots ever received are long gone; the expiry list starts from those still in stock.
CREATE INDEX lot_levels_in_stock ON lot_levels (lot_id, warehouse_id, on_hand) WHERE on_hand > 0;

CREATE TRIGGER products_get_levels AFTER INSERT ON products BEGIN
    INSERT INTO stock_levels (product_id, warehouse_id, reorder_point, reorder_qty)
        SELECT NEW.id, id, NEW.reorder_point, NEW.reorder_qty FROM warehouses;
END;
-- A warehouse opened later stocks nothing yet: its reorder points start at zero (its own),
-- or every product would be 'low' there at once.
CREATE TRIGGER warehouses_get_levels AFTER INSERT ON warehouses BEGIN
    INSERT INTO stock_levels (product_id, warehouse_id, reorder_point, reorder_qty, overridden)
        SELECT id, NEW.id, 0, 0, 1 FROM products;
END;
CREATE TRIGGER products_reorder_defaults AFTER UPDATE OF reorder_point, reorder_qty ON products BEGIN
    UPDATE stock_levels SET reorder_point = NEW.reorder_point, reorder_qty = NEW.reorder_qty
        WHERE product_id = NEW.id AND overridden = 0;
END;
-- Levels move with the ledger in the same statement, so no writer can forget them.
CREATE TRIGGER stock_moves_keep_levels AFTER INSERT ON stock_moves BEGIN
    UPDATE stock_levels SET on_hand = on_hand + NEW.quantity
        WHERE product_id = NEW.product_id AND warehouse_id = NEW.warehouse_id;
    INSERT INTO lot_levels (lot_id, warehouse_id, on_hand)
        SELECT NEW.lot_id, NEW.warehouse_id, NEW.quantity WHERE NEW.lot_id IS NOT NULL
        ON CONFLICT (lot_id, warehouse_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand;
END;

-- Transfers between warehouses: sent (stock leaves, shown as incoming at the destination),
-- then received.
CREATE TABLE transfers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    from_id      INTEGER NOT NULL REFERENCES warehouses (id),
    to_id        INTEGER NOT NULL REFERENCES warehouses (id),
    status       TEXT NOT NULL CHECK (status IN ('sent', 'received')),
    note         TEXT NOT NULL DEFAULT '',
    sent_at      TEXT NOT NULL,
    sent_by      TEXT NOT NULL,
    received_at  TEXT,
    received_by  TEXT,
    CHECK (from_id <> to_id)
) STRICT;
CREATE INDEX transfers_by_status ON transfers (status, id);
CREATE TABLE transfer_lines (
    transfer_id INTEGER NOT NULL REFERENCES transfers (id),
    line        INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    lot_id      INTEGER REFERENCES lots (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_cost   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (transfer_id, line)
) STRICT, WITHOUT ROWID;
