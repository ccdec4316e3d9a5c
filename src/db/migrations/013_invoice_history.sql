-- Issued invoices and credit notes brought in from another system keep their numbers.
-- Numbers of this shop's own patterns continue their series; any other number goes into
-- the history series: unique like every number, outside the gap-free check (its gaps are
-- the other system's), and never given to a new document (its empty pattern has no
-- sequence to take).
INSERT INTO invoice_series (code, pattern) VALUES ('HIST', '');
