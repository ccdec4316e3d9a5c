-- Sales history brought in from another system (`import sales-history`): orders that were
-- delivered and invoiced before the shop used shopdesk. They are closed orders with the day
-- they count as sold (the file's ship date, else its order date) and no invoices, shipments
-- or stock moves of ours, so they never touch today's stock, numbering or receivables.
ALTER TABLE orders ADD COLUMN sold_on TEXT;

-- The documents path of the sales reports reads history a period at a time, as it reads
-- issued invoices by their day.
CREATE INDEX orders_history_by_day ON orders (sold_on, id) WHERE sold_on IS NOT NULL;

-- History lines shaped like `sales_lines`, so every sales figure adds the two. A history
-- order stands for one invoice; its id is negated so it never meets a real invoice's.
CREATE VIEW history_lines AS
SELECT -o.id AS invoice_id,
       'invoice' AS kind,
       o.sold_on AS day,
       o.customer_id AS customer_id,
       l.product_id AS product_id,
       o.region AS region,
       o.salesperson AS salesperson,
       1 AS sign,
       CASE WHEN o.prices_include_tax
            THEN (l.amount * 20000 + 10000 + l.tax_rate_bp) / (20000 + 2 * l.tax_rate_bp)
            ELSE l.amount END AS net,
       l.quantity AS quantity,
       (l.quantity * coalesce(p.cost_price, 0) + 50000) / 100000 AS cost,
       o.id AS order_id
FROM orders o
JOIN order_lines l ON l.order_id = o.id
LEFT JOIN products p ON p.id = l.product_id
WHERE o.sold_on IS NOT NULL;
