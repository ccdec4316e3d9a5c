-- The customer relationship: a log of calls, e-mails, meetings, visits and notes with
-- optional follow-ups, and feedback and complaints with a status. Both refer to their
-- customer, so a customer with history can be archived but not deleted.

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'visit', 'note')),
    at           TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    summary      TEXT NOT NULL,
    follow_up    TEXT CHECK (follow_up IS NULL OR follow_up GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    done_at      TEXT,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX contacts_by_customer ON contacts (customer_id, at, id);
-- Open follow-ups only, in date order: the follow-ups view is a range scan of this.
CREATE INDEX contacts_open_follow_ups ON contacts (follow_up, id) WHERE follow_up IS NOT NULL AND done_at IS NULL;

CREATE TABLE feedback (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    order_ref    TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL CHECK (kind IN ('feedback', 'complaint')),
    severity     TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status       TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    assignee     TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL,
    resolution   TEXT NOT NULL DEFAULT '',
    opened_at    TEXT NOT NULL,
    resolved_at  TEXT,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX feedback_by_customer ON feedback (customer_id, opened_at, id);
-- Open items (open or in progress), for the list sorted by severity and age.
CREATE INDEX feedback_open ON feedback (status, severity, opened_at, id) WHERE status IN ('open', 'in_progress');
