-- The finance reports' figures, kept per day as each invoice or credit note is issued (in
-- the same statement), so revenue and tax per rate read a few hundred rows a year instead
-- of every document; `check` compares them with a recomputation from the documents.

-- Per day and kind (invoice, credit_note): documents issued and their totals.
CREATE TABLE finance_daily (
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    documents INTEGER NOT NULL,
    net       INTEGER NOT NULL,
    tax       INTEGER NOT NULL,
    gross     INTEGER NOT NULL,
    PRIMARY KEY (day, kind)
) STRICT, WITHOUT ROWID;

-- Per day, kind and tax rate: the taxable base and the tax, from each document's breakdown.
CREATE TABLE tax_daily (
    day     TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    rate_bp INTEGER NOT NULL,
    base    INTEGER NOT NULL,
    tax     INTEGER NOT NULL,
    PRIMARY KEY (day, kind, rate_bp)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER finance_on_issue AFTER UPDATE OF status ON invoices
WHEN OLD.status = 'draft' AND NEW.status = 'issued' BEGIN
    INSERT INTO finance_daily (day, kind, documents, net, tax, gross)
    VALUES (substr(NEW.issue_date, 1, 10), NEW.kind, 1, NEW.net, NEW.tax, NEW.gross)
    ON CONFLICT (day, kind) DO UPDATE SET documents = documents + 1, net = net + excluded.net,
        tax = tax + excluded.tax, gross = gross + excluded.gross;
    INSERT INTO tax_daily (day, kind, rate_bp, base, tax)
    SELECT substr(NEW.issue_date, 1, 10), NEW.kind, rate_bp, base, tax FROM invoice_taxes
    WHERE invoice_id = NEW.id AND true
    ON CONFLICT (day, kind, rate_bp) DO UPDATE SET base = base + excluded.base, tax = tax + excluded.tax;
END;

-- What was issued before these tables existed.
INSERT INTO finance_daily (day, kind, documents, net, tax, gross)
SELECT substr(issue_date, 1, 10), kind, count(*), sum(net), sum(tax), sum(gross)
FROM invoices WHERE status = 'issued' GROUP BY 1, 2;
INSERT INTO tax_daily (day, kind, rate_bp, base, tax)
SELECT substr(i.issue_date, 1, 10), i.kind, t.rate_bp, sum(t.base), sum(t.tax)
FROM invoice_taxes t JOIN invoices i ON i.id = t.invoice_id WHERE i.status = 'issued' GROUP BY 1, 2, 3;
