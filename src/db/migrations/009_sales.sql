-- Sales as the reports count them: invoiced, net of credit notes, by the day of issue.
-- Kept in summary tables by a trigger in the same statement that issues the invoice or
-- credit note, so the dashboard and reports read a few thousand rows instead of millions
-- of lines; `check` compares them with a recomputation from the documents.

-- One row per issued invoice or credit note line, signed: what every sales figure sums.
-- Lines priced with tax included count net of their own rate (rounded half up per line).
-- Cost is the product's cost price when the document was summarised, in cents.
CREATE VIEW sales_lines AS
SELECT i.id AS invoice_id,
       i.kind AS kind,
       substr(i.issue_date, 1, 10) AS day,
       i.customer_id AS customer_id,
       l.product_id AS product_id,
       coalesce(o.region, '') AS region,
       coalesce(o.salesperson, '') AS salesperson,
       CASE i.kind WHEN 'invoice' THEN 1 ELSE -1 END AS sign,
       CASE WHEN i.prices_include_tax
            THEN (l.amount * 20000 + 10000 + l.tax_rate_bp) / (20000 + 2 * l.tax_rate_bp)
            ELSE l.amount END AS net,
       l.quantity AS quantity,
       (l.quantity * coalesce(p.cost_price, 0) + 50000) / 100000 AS cost
FROM invoices i
JOIN invoice_lines l ON l.invoice_id = i.id
LEFT JOIN orders o ON o.id = l.order_id
LEFT JOIN products p ON p.id = l.product_id
WHERE i.status = 'issued';

-- Per day: net, quantity, cost, and invoices issued (credit notes take their amounts off
-- but are not sales documents).
CREATE TABLE sales_daily (
    day       TEXT PRIMARY KEY,
    net       INTEGER NOT NULL,
    quantity  INTEGER NOT NULL,
    cost      INTEGER NOT NULL,
    invoices  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Per month and one dimension: dim is product, customer (their ids as text), region or
-- salesperson (the order's); invoices counts the invoices that touched the key.
CREATE TABLE sales_monthly (
    dim       TEXT NOT NULL CHECK (dim IN ('product', 'customer', 'region', 'salesperson')),
    month     TEXT NOT NULL,
    key       TEXT NOT NULL,
    net       INTEGER NOT NULL,
    quantity  INTEGER NOT NULL,
    cost      INTEGER NOT NULL,
    invoices  INTEGER NOT NULL,
    PRIMARY KEY (dim, month, key)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER sales_on_issue AFTER UPDATE OF status ON invoices
WHEN OLD.status = 'draft' AND NEW.status = 'issued' BEGIN
    INSERT INTO sales_daily (day, net, quantity, cost, invoices)
    SELECT day, sum(sign * net), sum(sign * quantity), sum(sign * cost), max(kind = 'invoice')
    FROM sales_lines WHERE invoice_id = NEW.id GROUP BY day
    ON CONFLICT (day) DO UPDATE SET net = net + excluded.net, quantity = quantity + excluded.quantity,
        cost = cost + excluded.cost, invoices = invoices + excluded.invoices;
    INSERT INTO sales_monthly (dim, month, key, net, quantity, cost, invoices)
    SELECT * FROM (
        SELECT 'product', substr(day, 1, 7), CAST(coalesce(product_id, 0) AS TEXT), sum(sign * net),
               sum(sign * quantity), sum(sign * cost), max(kind = 'invoice')
        FROM sales_lines WHERE invoice_id = NEW.id GROUP BY product_id
        UNION ALL
        SELECT 'customer', substr(day, 1, 7), CAST(customer_id AS TEXT), sum(sign * net),
               sum(sign * quantity), sum(sign * cost), max(kind = 'invoice')
        FROM sales_lines WHERE invoice_id = NEW.id GROUP BY customer_id
        UNION ALL
        SELECT 'region', substr(day, 1, 7), region, sum(sign * net),
               sum(sign * quantity), sum(sign * cost), max(kind = 'invoice')
        FROM sales_lines WHERE invoice_id = NEW.id GROUP BY region
        UNION ALL
        SELECT 'salesperson', substr(day, 1, 7), salesperson, sum(sign * net),
               sum(sign * quantity), sum(sign * cost), max(kind = 'invoice')
        FROM sales_lines WHERE invoice_id = NEW.id GROUP BY salesperson
    ) WHERE true
    ON CONFLICT (dim, month, key) DO UPDATE SET net = net + excluded.net, quantity = quantity + excluded.quantity,
        cost = cost + excluded.cost, invoices = invoices + excluded.invoices;
END;

-- What was issued before these tables existed.
INSERT INTO sales_daily (day, net, quantity, cost, invoices)
SELECT day, sum(sign * net), sum(sign * quantity), sum(sign * cost), count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END)
FROM sales_lines GROUP BY day;
INSERT INTO sales_monthly (dim, month, key, net, quantity, cost, invoices)
SELECT 'product', substr(day, 1, 7), CAST(coalesce(product_id, 0) AS TEXT), sum(sign * net), sum(sign * quantity),
       sum(sign * cost), count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END)
FROM sales_lines GROUP BY 2, 3
UNION ALL
SELECT 'customer', substr(day, 1, 7), CAST(customer_id AS TEXT), sum(sign * net), sum(sign * quantity),
       sum(sign * cost), count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END)
FROM sales_lines GROUP BY 2, 3
UNION ALL
SELECT 'region', substr(day, 1, 7), region, sum(sign * net), sum(sign * quantity),
       sum(sign * cost), count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END)
FROM sales_lines GROUP BY 2, 3
UNION ALL
SELECT 'salesperson', substr(day, 1, 7), salesperson, sum(sign * net), sum(sign * quantity),
       sum(sign * cost), count(DISTINCT CASE WHEN kind = 'invoice' THEN invoice_id END)
FROM sales_lines GROUP BY 2, 3;

-- Monthly sales targets per salesperson (net, cents), entered in the interface or imported.
CREATE TABLE sales_targets (
    salesperson TEXT NOT NULL,
    month       TEXT NOT NULL,
    target      INTEGER NOT NULL CHECK (target >= 0),
    PRIMARY KEY (salesperson, month)
) STRICT, WITHOUT ROWID;
