-- Invoices: drafts without a number, then issued: numbered from their series inside the
-- issuing transaction, the customer copied onto them, chained by hash, and never changed.
-- Amounts are INTEGER cents, prices ten-thousandths, quantities thousandths, rates
-- hundredths of a percent, as for orders.

-- pattern: {YYYY} or {YY} for the year of issue, {SEQ:6} (or {SEQ}) for the number within
-- it; numbering restarts each year. `year` is the year `next` counts in.
CREATE TABLE invoice_series (
    code    TEXT PRIMARY KEY,
    pattern TEXT NOT NULL,
    year    INTEGER NOT NULL DEFAULT 0,
    next    INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT INTO invoice_series (code, pattern) VALUES ('INV', 'INV-{YYYY}-{SEQ:6}');

CREATE TABLE invoices (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    series             TEXT NOT NULL REFERENCES invoice_series (code),
    number             TEXT UNIQUE COLLATE NOCASE,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'issued')),
    customer_id        INTEGER NOT NULL REFERENCES customers (id),
    -- Copied from the customer at issue: what the invoice says forever after.
    customer_code      TEXT NOT NULL DEFAULT '',
    customer_name      TEXT NOT NULL DEFAULT '',
    customer_address   TEXT NOT NULL DEFAULT '',
    customer_tax_id    TEXT NOT NULL DEFAULT '',
    issue_date         TEXT NOT NULL DEFAULT '',
    due_date           TEXT NOT NULL DEFAULT '',
    prices_include_tax INTEGER NOT NULL DEFAULT 0 CHECK (prices_include_tax IN (0, 1)),
    net                INTEGER NOT NULL DEFAULT 0,
    tax                INTEGER NOT NULL DEFAULT 0,
    gross              INTEGER NOT NULL DEFAULT 0,
    -- Issue order across all series, and the hash chain: each issued invoice's hash covers
    -- its content and the previous one's hash.
    chain_seq          INTEGER UNIQUE,
    prev_hash          TEXT NOT NULL DEFAULT '',
    hash               TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    issued_at          TEXT,
    issued_by          TEXT,
    version            INTEGER NOT NULL DEFAULT 1,
    CHECK ((status = 'draft') = (number IS NULL))
) STRICT;
CREATE INDEX invoices_by_customer ON invoices (customer_id, id);
CREATE INDEX invoices_by_status ON invoices (status, id);

CREATE TABLE invoice_lines (
    invoice_id  INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    line        INTEGER NOT NULL,
    order_id    INTEGER REFERENCES orders (id),
    order_line  INTEGER,
    product_id  INTEGER REFERENCES products (id),
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_bp INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    amount      INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, line)
) STRICT, WITHOUT ROWID;
CREATE INDEX invoice_lines_by_order ON invoice_lines (order_id, order_line) WHERE order_id IS NOT NULL;

-- The tax breakdown per rate as issued.
CREATE TABLE invoice_taxes (
    invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    rate_bp    INTEGER NOT NULL,
    base       INTEGER NOT NULL,
    tax        INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, rate_bp)
) STRICT, WITHOUT ROWID;

-- How much of each order line is on an invoice (drafts included, so nothing is invoiced
-- twice); deleting a draft gives it back.
ALTER TABLE order_lines ADD COLUMN invoiced INTEGER NOT NULL DEFAULT 0 CHECK (invoiced >= 0);

-- An issued invoice never changes and is never deleted: the database refuses, whoever
-- asks. Corrections are credit notes.
CREATE TRIGGER invoices_issued_fixed BEFORE UPDATE ON invoices WHEN OLD.status = 'issued' BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note instead');
END;
CREATE TRIGGER invoices_issued_kept BEFORE DELETE ON invoices WHEN OLD.status = 'issued' BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never deleted: issue a credit note instead');
END;
CREATE TRIGGER invoice_lines_issued_fixed BEFORE UPDATE ON invoice_lines
    WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) = 'issued' BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note instead');
END;
CREATE TRIGGER invoice_lines_issued_kept BEFORE DELETE ON invoice_lines
    WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) = 'issued' BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note instead');
END;
CREATE TRIGGER invoice_lines_issued_closed BEFORE INSERT ON invoice_lines
    WHEN (SELECT status FROM invoices WHERE id = NEW.invoice_id) = 'issued' BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note instead');
END;
CREATE TRIGGER invoice_taxes_issued_fixed BEFORE UPDATE ON invoice_taxes
    WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) = 'issued' BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note instead');
END;
CREATE TRIGGER invoice_taxes_issued_kept BEFORE DELETE ON invoice_taxes
    WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) = 'issued' BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note instead');
END;
CREATE TRIGGER invoice_taxes_issued_closed BEFORE INSERT ON invoice_taxes
    WHEN (SELECT status FROM invoices WHERE id = NEW.invoice_id) = 'issued' BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note instead');
END;

-- Payments received (and, negative, paid back), and how they settle invoices. Both are
-- only ever added to: a mistake is put right by another entry, never by changing one.
-- What a customer paid and no invoice has taken yet is their credit.
CREATE TABLE payments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    number      TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    method      TEXT NOT NULL CHECK (method IN ('cash', 'card', 'bank_transfer', 'mobile', 'other')),
    amount      INTEGER NOT NULL CHECK (amount <> 0),
    received_on TEXT NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
) STRICT;
CREATE INDEX payments_by_customer ON payments (customer_id, id);

CREATE TABLE payment_allocations (
    id         INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments (id),
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX payment_allocations_by_invoice ON payment_allocations (invoice_id);
CREATE INDEX payment_allocations_by_payment ON payment_allocations (payment_id);

CREATE TRIGGER payments_append_only BEFORE UPDATE ON payments BEGIN
    SELECT RAISE(ABORT, 'a recorded payment is never changed: record a correcting one');
END;
CREATE TRIGGER payments_kept BEFORE DELETE ON payments BEGIN
    SELECT RAISE(ABORT, 'a recorded payment is never deleted: record a correcting one');
END;
CREATE TRIGGER payment_allocations_append_only BEFORE UPDATE ON payment_allocations BEGIN
    SELECT RAISE(ABORT, 'a payment allocation is never changed');
END;
CREATE TRIGGER payment_allocations_kept BEFORE DELETE ON payment_allocations BEGIN
    SELECT RAISE(ABORT, 'a payment allocation is never deleted');
END;
-- Only issued invoices are paid.
CREATE TRIGGER payment_allocations_issued BEFORE INSERT ON payment_allocations
    WHEN (SELECT status FROM invoices WHERE id = NEW.invoice_id) <> 'issued' BEGIN
    SELECT RAISE(ABORT, 'only an issued invoice is paid');
END;

-- Credit notes: documents of their own gap-free series, each crediting one issued invoice
-- (all of it or chosen lines and quantities) with a reason; issued, numbered and chained
-- like invoices, and as unchangeable.
ALTER TABLE invoices ADD COLUMN kind TEXT NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note'));
ALTER TABLE invoices ADD COLUMN credits_id INTEGER REFERENCES invoices (id);
ALTER TABLE invoices ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE invoice_lines ADD COLUMN credits_line INTEGER;
CREATE INDEX invoices_credits ON invoices (credits_id) WHERE credits_id IS NOT NULL;
INSERT INTO invoice_series (code, pattern) VALUES ('CN', 'CN-{YYYY}-{SEQ:6}');

-- Refund requests: asked for (by whom, why, how much), approved or rejected by a manager,
-- then paid out as a negative payment; each step with who and when.
CREATE TABLE refund_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    number        TEXT NOT NULL UNIQUE,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    amount        INTEGER NOT NULL CHECK (amount > 0),
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'paid')),
    requested_at  TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    decided_at    TEXT,
    decided_by    TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    paid_at       TEXT,
    paid_by       TEXT,
    payment_id    INTEGER REFERENCES payments (id)
) STRICT;
CREATE INDEX refund_requests_by_status ON refund_requests (status, id);

-- The margin report finds the shipments of each invoiced order by its number.
CREATE INDEX stock_moves_shipped_for ON stock_moves (reference) WHERE kind = 'shipment';

-- What is still owed on each issued invoice with anything owed: kept by triggers in the
-- same statement as the issue, payment allocation or credit note that changes it, so the
-- unpaid and overdue views, receivables and a customer's open invoices read one small
-- table instead of summing every invoice's payments. `check` compares it with the sums.
CREATE TABLE invoice_open (
    invoice_id  INTEGER PRIMARY KEY REFERENCES invoices (id),
    customer_id INTEGER NOT NULL,
    due_date    TEXT NOT NULL,
    owed        INTEGER NOT NULL CHECK (owed > 0)
) STRICT;
CREATE INDEX invoice_open_by_due ON invoice_open (due_date, invoice_id);
CREATE INDEX invoice_open_by_customer ON invoice_open (customer_id, due_date, invoice_id);

CREATE TRIGGER invoice_open_issued AFTER UPDATE OF status ON invoices
WHEN OLD.status = 'draft' AND NEW.status = 'issued' AND NEW.kind = 'invoice' AND NEW.gross > 0 BEGIN
    INSERT INTO invoice_open (invoice_id, customer_id, due_date, owed)
    VALUES (NEW.id, NEW.customer_id, NEW.due_date, NEW.gross);
END;
CREATE TRIGGER invoice_open_credited AFTER UPDATE OF status ON invoices
WHEN OLD.status = 'draft' AND NEW.status = 'issued' AND NEW.kind = 'credit_note' BEGIN
    DELETE FROM invoice_open WHERE invoice_id = NEW.credits_id AND owed <= NEW.gross;
    UPDATE invoice_open SET owed = owed - NEW.gross WHERE invoice_id = NEW.credits_id;
END;
CREATE TRIGGER invoice_open_paid AFTER INSERT ON payment_allocations BEGIN
    DELETE FROM invoice_open WHERE invoice_id = NEW.invoice_id AND owed <= NEW.amount;
    UPDATE invoice_open SET owed = owed - NEW.amount WHERE invoice_id = NEW.invoice_id;
END;
-- The credit notes view pages through few rows of many.
CREATE INDEX invoices_credit_notes ON invoices (id) WHERE kind = 'credit_note';
-- Payments settle invoices; a credit note is never paid.
CREATE TRIGGER payment_allocations_invoices_only BEFORE INSERT ON payment_allocations
    WHEN (SELECT kind FROM invoices WHERE id = NEW.invoice_id) <> 'invoice' BEGIN
    SELECT RAISE(ABORT, 'a credit note is not paid');
END;
