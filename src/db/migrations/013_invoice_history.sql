-- Issued invoices and credit notes brought in from another system keep their numbers.
-- Numbers of this shop's own patterns continue their series; any other number goes into
-- the history series: unique like every number, outside the gap-free check (its gaps are
-- the other system's), and never given to a new document (its empty pattern has no
-- sequence to take).
INSERT INTO invoice_series (code, pattern) VALUES ('HIST', '');

-- Sales history is closed orders sold and delivered elsewhere: all of each line left, as
-- with any closed order (an order imported as closed must say so). History imported
-- before said nothing had.
UPDATE order_lines SET shipped = quantity
WHERE shipped < quantity AND order_id IN (SELECT id FROM orders WHERE sold_on IS NOT NULL);
