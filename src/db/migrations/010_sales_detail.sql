-- Sales read from the documents themselves, for what the summaries cannot answer: a report
-- filtered by another dimension (a region's categories), or sales counted by order date.

-- Issued documents by day of issue: the filtered reports read a period's invoices through it.
CREATE INDEX invoices_issued_by_day ON invoices (issue_date, id) WHERE status = 'issued';

-- One row per order line, as `sales_lines` is per invoice line: net of tax by the same
-- rule (half up per line), cost at the product's cost price. Which orders count (not
-- drafts, not waiting for approval, not cancelled) is the reader's choice of order ids.
CREATE VIEW ordered_lines AS
SELECT o.id AS order_id,
       o.order_date AS day,
       o.customer_id AS customer_id,
       l.product_id AS product_id,
       o.region AS region,
       o.salesperson AS salesperson,
       CASE WHEN o.prices_include_tax
            THEN (l.amount * 20000 + 10000 + l.tax_rate_bp) / (20000 + 2 * l.tax_rate_bp)
            ELSE l.amount END AS net,
       l.quantity AS quantity,
       (l.quantity * coalesce(p.cost_price, 0) + 50000) / 100000 AS cost
FROM orders o
JOIN order_lines l ON l.order_id = o.id
LEFT JOIN products p ON p.id = l.product_id;

-- The orders holding a product (drill-down from a product's or category's sales, the
-- orders list's product: and category: filters), found from the product.
CREATE INDEX order_lines_by_product ON order_lines (product_id, order_id);
