-- Sales orders: lines, the timeline of every step, shipments that reserve and then take
-- stock, and the shop's settings that pricing and approval read.
-- Amounts are INTEGER cents, unit prices ten-thousandths, quantities thousandths,
-- percentages hundredths of a percent (1900 = 19.00 %).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
-- approval_limit in cents, 0 = no limit.
INSERT INTO settings (key, value) VALUES ('prices_include_tax', '0'), ('approval_limit', '0');

-- status: draft -> awaiting_approval -> confirmed -> partly_shipped -> shipped -> delivered
-- -> closed; cancelled. The totals are the lines' (ops writes both in one transaction);
-- backorder is 1 while a confirmed line waits for stock no shipment holds.
CREATE TABLE orders (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    number             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    customer_id        INTEGER NOT NULL REFERENCES customers (id),
    status             TEXT NOT NULL CHECK (status IN ('draft', 'awaiting_approval', 'confirmed', 'partly_shipped',
                                                       'shipped', 'delivered', 'closed', 'cancelled')),
    warehouse_id       INTEGER NOT NULL REFERENCES warehouses (id),
    order_date         TEXT NOT NULL,
    ship_by            TEXT NOT NULL DEFAULT '',
    salesperson        TEXT NOT NULL DEFAULT '',
    region             TEXT NOT NULL DEFAULT '',
    address            TEXT NOT NULL DEFAULT '',
    note               TEXT NOT NULL DEFAULT '',
    prices_include_tax INTEGER NOT NULL DEFAULT 0 CHECK (prices_include_tax IN (0, 1)),
    net                INTEGER NOT NULL DEFAULT 0,
    tax                INTEGER NOT NULL DEFAULT 0,
    gross              INTEGER NOT NULL DEFAULT 0,
    backorder          INTEGER NOT NULL DEFAULT 0 CHECK (backorder IN (0, 1)),
    reason             TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
) STRICT;
-- The list runs newest first by (order_date, id); every filter's index ends in those two,
-- so each view, and a date range within it, is a range read in the list's own order.
CREATE INDEX orders_by_status ON orders (status, order_date, id);
CREATE INDEX orders_by_customer ON orders (customer_id, order_date, id);
CREATE INDEX orders_by_salesperson ON orders (salesperson, order_date, id);
CREATE INDEX orders_by_date ON orders (order_date, id);
CREATE INDEX orders_backordered ON orders (order_date, id) WHERE backorder = 1;

-- allocated: held by open shipments (kept by the shipment triggers below); shipped: left.
CREATE TABLE order_lines (
    order_id    INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line        INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_bp INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    amount      INTEGER NOT NULL,
    allocated   INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    shipped     INTEGER NOT NULL DEFAULT 0 CHECK (shipped >= 0),
    CHECK (allocated + shipped <= quantity),
    PRIMARY KEY (order_id, line)
) STRICT, WITHOUT ROWID;

-- The timeline: every step with who and when. Rows are only ever added.
CREATE TABLE order_events (
    id       INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    user     TEXT NOT NULL,
    step     TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX order_events_by_order ON order_events (order_id, id);

-- status: open (to pick; its lines reserve stock) -> shipped -> delivered; cancelled.
CREATE TABLE shipments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    number       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    status       TEXT NOT NULL CHECK (status IN ('open', 'shipped', 'delivered', 'cancelled')),
    carrier      TEXT NOT NULL DEFAULT '',
    tracking     TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    shipped_at   TEXT,
    delivered_on TEXT
) STRICT;
CREATE INDEX shipments_by_order ON shipments (order_id, id);
CREATE INDEX shipments_by_status ON shipments (status, id);

CREATE TABLE shipment_lines (
    shipment_id INTEGER NOT NULL REFERENCES shipments (id),
    order_line  INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, order_line)
) STRICT, WITHOUT ROWID;

-- An open shipment's lines reserve stock and are the order line's allocation; the
-- triggers keep both in the same statement, so no writer can forget either.
CREATE TRIGGER shipment_lines_only_open BEFORE INSERT ON shipment_lines
    WHEN (SELECT status FROM shipments WHERE id = NEW.shipment_id) <> 'open' BEGIN
    SELECT RAISE(ABORT, 'only an open shipment takes lines');
END;
CREATE TRIGGER shipment_lines_no_change BEFORE UPDATE ON shipment_lines
    WHEN (SELECT status FROM shipments WHERE id = OLD.shipment_id) <> 'open' BEGIN
    SELECT RAISE(ABORT, 'a shipment that left is not changed');
END;
CREATE TRIGGER shipment_lines_no_delete BEFORE DELETE ON shipment_lines
    WHEN (SELECT status FROM shipments WHERE id = OLD.shipment_id) <> 'open' BEGIN
    SELECT RAISE(ABORT, 'a shipment that left is not changed');
END;
CREATE TRIGGER shipment_lines_reserve AFTER INSERT ON shipment_lines BEGIN
    UPDATE stock_levels SET reserved = reserved + NEW.quantity
        WHERE product_id = NEW.product_id
          AND warehouse_id = (SELECT warehouse_id FROM shipments WHERE id = NEW.shipment_id);
    UPDATE order_lines SET allocated = allocated + NEW.quantity
        WHERE order_id = (SELECT order_id FROM shipments WHERE id = NEW.shipment_id) AND line = NEW.order_line;
END;
CREATE TRIGGER shipment_lines_rereserve AFTER UPDATE OF quantity ON shipment_lines BEGIN
    UPDATE stock_levels SET reserved = reserved + NEW.quantity - OLD.quantity
        WHERE product_id = NEW.product_id
          AND warehouse_id = (SELECT warehouse_id FROM shipments WHERE id = NEW.shipment_id);
    UPDATE order_lines SET allocated = allocated + NEW.quantity - OLD.quantity
        WHERE order_id = (SELECT order_id FROM shipments WHERE id = NEW.shipment_id) AND line = NEW.order_line;
END;
CREATE TRIGGER shipment_lines_unreserve AFTER DELETE ON shipment_lines BEGIN
    UPDATE stock_levels SET reserved = reserved - OLD.quantity
        WHERE product_id = OLD.product_id
          AND warehouse_id = (SELECT warehouse_id FROM shipments WHERE id = OLD.shipment_id);
    UPDATE order_lines SET allocated = allocated - OLD.quantity
        WHERE order_id = (SELECT order_id FROM shipments WHERE id = OLD.shipment_id) AND line = OLD.order_line;
END;
-- Leaving 'open' (shipped or cancelled) releases the reservation; shipping counts the
-- quantities as shipped on the order's lines. The stock moves themselves are posted by ops.
CREATE TRIGGER shipments_leave_open AFTER UPDATE OF status ON shipments
    WHEN OLD.status = 'open' AND NEW.status <> 'open' BEGIN
    UPDATE stock_levels SET reserved = reserved - (
            SELECT SUM(l.quantity) FROM shipment_lines l
            WHERE l.shipment_id = NEW.id AND l.product_id = stock_levels.product_id)
        WHERE warehouse_id = NEW.warehouse_id
          AND product_id IN (SELECT product_id FROM shipment_lines WHERE shipment_id = NEW.id);
    UPDATE order_lines SET
            allocated = allocated - (SELECT l.quantity FROM shipment_lines l
                                     WHERE l.shipment_id = NEW.id AND l.order_line = order_lines.line),
            shipped = shipped + CASE WHEN NEW.status = 'shipped' THEN
                          (SELECT l.quantity FROM shipment_lines l
                           WHERE l.shipment_id = NEW.id AND l.order_line = order_lines.line) ELSE 0 END
        WHERE order_id = NEW.order_id
          AND line IN (SELECT order_line FROM shipment_lines WHERE shipment_id = NEW.id);
END;
-- Only open -> shipped | cancelled and shipped -> delivered: a shipment cannot arrive
-- without having left, nor be taken back once it has.
CREATE TRIGGER shipments_only_forward BEFORE UPDATE OF status ON shipments
    WHEN OLD.status <> NEW.status AND NOT (
        (OLD.status = 'open' AND NEW.status IN ('shipped', 'cancelled'))
        OR (OLD.status = 'shipped' AND NEW.status = 'delivered')) BEGIN
    SELECT RAISE(ABORT, 'a shipment moves only from open to shipped or cancelled, and from shipped to delivered');
END;
-- A line something is held or has left for stays: it is part of a shipment.
CREATE TRIGGER order_lines_keep_shipped BEFORE DELETE ON order_lines
    WHEN OLD.allocated + OLD.shipped > 0 BEGIN
    SELECT RAISE(ABORT, 'an order line with goods held or shipped is not removed');
END;

-- How many orders are in each status: the Orders tab's view counts cost nothing.
CREATE TABLE order_counts (
    status TEXT PRIMARY KEY,
    count  INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO order_counts (status) VALUES ('draft'), ('awaiting_approval'), ('confirmed'), ('partly_shipped'),
    ('shipped'), ('delivered'), ('closed'), ('cancelled');
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders BEGIN
    UPDATE order_counts SET count = count + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders BEGIN
    UPDATE order_counts SET count = count - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER orders_count_update AFTER UPDATE OF status ON orders WHEN OLD.status <> NEW.status BEGIN
    UPDATE order_counts SET count = count - 1 WHERE status = OLD.status;
    UPDATE order_counts SET count = count + 1 WHERE status = NEW.status;
END;
