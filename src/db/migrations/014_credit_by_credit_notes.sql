-- A customer's credit is what they paid that no invoice took, plus what credit notes gave
-- back on invoices already paid. Only an invoice with a credit note can be settled past
-- its total (allocations alone never go past it, below), so the second part reads the
-- customer's credit notes instead of every invoice they ever had: recording a payment for
-- a customer of thousands of invoices took a quarter of a second.
CREATE INDEX invoices_credit_notes_by_customer ON invoices (customer_id, credits_id) WHERE kind = 'credit_note';

-- What `check` reports as an overpaid invoice is refused as it happens: payments together
-- never settle more of an invoice than its total.
CREATE TRIGGER payment_allocations_within_total BEFORE INSERT ON payment_allocations
    WHEN NEW.amount + (SELECT coalesce(sum(amount), 0) FROM payment_allocations WHERE invoice_id = NEW.invoice_id)
         > (SELECT gross FROM invoices WHERE id = NEW.invoice_id) BEGIN
    SELECT RAISE(ABORT, 'payments never settle more than an invoice''s total');
END;

-- The first part sums the customer's payments and what was put against them: read from
-- the indexes alone (a customer of 10,000 invoices: 20 ms from the tables, 5 ms so).
DROP INDEX payments_by_customer;
CREATE INDEX payments_by_customer ON payments (customer_id, id, amount);
DROP INDEX payment_allocations_by_payment;
CREATE INDEX payment_allocations_by_payment ON payment_allocations (payment_id, amount);
