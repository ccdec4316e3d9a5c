//! The customer relationship: contact log entries with follow-ups, and feedback and
//! complaints with the status moves they may make.

use chrono::NaiveDate;
use strum::{EnumIter, IntoEnumIterator};

use super::fields::{Checker, FieldError, Problem, check_text, parse_date};

/// Generates `as_str`, `parse` and `all` for a closed set of values stored as text.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Case-insensitive, as typed or imported.
            pub fn parse(text: &str) -> Result<Self, Problem> {
                let text = text.trim();
                Self::iter()
                    .find(|v| v.as_str().eq_ignore_ascii_case(text))
                    .ok_or_else(|| Problem::NotOneOf { allowed: Self::all() })
            }

            pub fn all() -> Vec<&'static str> {
                Self::iter().map(Self::as_str).collect()
            }
        }
    };
}
pub(crate) use choice;

choice!(
    /// How the shop was in touch with the customer.
    ContactKind { Call => "call", Email => "email", Meeting => "meeting", Visit => "visit", Note => "note" }
);
choice!(
    /// Praise and suggestions, or a complaint that needs an answer.
    FeedbackKind { Feedback => "feedback", Complaint => "complaint" }
);
choice!(
    /// Ordered: `Critical` sorts highest.
    Severity { Low => "low", Medium => "medium", High => "high", Critical => "critical" }
);
choice!(
    /// Where a feedback item stands.
    Status { Open => "open", InProgress => "in_progress", Resolved => "resolved", Closed => "closed" }
);

impl Status {
    /// Open and in-progress items still need someone.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Open | Status::InProgress)
    }

    /// The moves an item may make: work starts, is resolved (with a resolution), is closed
    /// once resolved, and may be reopened from resolved or closed.
    pub fn can_move_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Open, InProgress)
                | (Open, Resolved)
                | (InProgress, Open)
                | (InProgress, Resolved)
                | (Resolved, Closed)
                | (Resolved, Open)
                | (Closed, Open)
        )
    }
}

/// Why a status move was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveRefused {
    NotAllowed { from: Status, to: Status },
    NeedsResolution,
}

/// Checks a status move; resolving needs the resolution written down.
pub fn check_move(from: Status, to: Status, resolution: &str) -> Result<(), MoveRefused> {
    if !from.can_move_to(to) {
        return Err(MoveRefused::NotAllowed { from, to });
    }
    if to == Status::Resolved && resolution.trim().is_empty() {
        return Err(MoveRefused::NeedsResolution);
    }
    Ok(())
}

/// A contact as typed: what kind, what was said, and when to follow up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    pub kind: String,
    pub summary: String,
    pub follow_up: String,
}

/// A checked contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactData {
    pub kind: ContactKind,
    pub summary: String,
    pub follow_up: Option<NaiveDate>,
}

pub fn validate_contact(input: &ContactInput) -> Result<ContactData, Vec<FieldError>> {
    let mut check = Checker::default();
    let kind = check.take("kind", ContactKind::parse(&input.kind).map(Some));
    let summary = check.take("summary", check_text(&input.summary, true, 2000, true));
    let follow_up = check.take("follow_up", parse_date(&input.follow_up));
    let kind = kind.unwrap_or(ContactKind::Note);
    check.finish(ContactData { kind, summary, follow_up })
}

/// A feedback item as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackInput {
    pub kind: String,
    pub severity: String,
    pub order_ref: String,
    pub assignee: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackData {
    pub kind: FeedbackKind,
    pub severity: Severity,
    pub order_ref: String,
    pub assignee: String,
    pub description: String,
}

pub fn validate_feedback(input: &FeedbackInput) -> Result<FeedbackData, Vec<FieldError>> {
    let mut check = Checker::default();
    let kind = check.take("kind", FeedbackKind::parse(&input.kind).map(Some));
    let severity = check.take("severity", Severity::parse(&input.severity).map(Some));
    let order_ref = check.take("order_ref", check_text(&input.order_ref, false, 40, false));
    let assignee = check.take("assignee", check_text(&input.assignee, false, 64, false));
    let description = check.take("description", check_text(&input.description, true, 4000, true));
    check.finish(FeedbackData {
        kind: kind.unwrap_or(FeedbackKind::Feedback),
        severity: severity.unwrap_or(Severity::Low),
        order_ref,
        assignee,
        description,
    })
}

/// When a follow-up is due, relative to `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Overdue { days: i64 },
    Today,
    Upcoming { days: i64 },
}

pub fn due(follow_up: NaiveDate, today: NaiveDate) -> Due {
    let days = (follow_up - today).num_days();
    match days {
        0 => Due::Today,
        d if d < 0 => Due::Overdue { days: -d },
        d => Due::Upcoming { days: d },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_moves_follow_the_rules() {
        use Status::*;
        assert!(check_move(Open, InProgress, "").is_ok());
        assert_eq!(check_move(Open, Resolved, " "), Err(MoveRefused::NeedsResolution));
        assert!(check_move(Open, Resolved, "Refunded the bottle").is_ok());
        assert_eq!(check_move(Open, Closed, "x"), Err(MoveRefused::NotAllowed { from: Open, to: Closed }));
        assert!(check_move(Resolved, Closed, "").is_ok());
        assert!(check_move(Closed, Open, "").is_ok(), "reopen");
        assert!(check_move(Resolved, Open, "").is_ok(), "reopen");
        assert!(!Closed.can_move_to(Resolved));
        assert!(!Open.can_move_to(Open));
        // Every pair is either allowed or refused with the pair named.
        for from in Status::iter() {
            for to in Status::iter() {
                if let Err(MoveRefused::NotAllowed { from: f, to: t }) = check_move(from, to, "r") {
                    assert_eq!((f, t), (from, to));
                }
            }
        }
    }

    #[test]
    fn severities_sort_by_weight() {
        assert!(Severity::Critical > Severity::High && Severity::High > Severity::Low);
        assert_eq!(Severity::parse("HIGH"), Ok(Severity::High));
        assert!(matches!(Severity::parse("urgent"), Err(Problem::NotOneOf { .. })));
    }

    #[test]
    fn contact_validation_reports_each_field() {
        let bad = ContactInput { kind: "fax".into(), summary: " ".into(), follow_up: "next week".into() };
        let fields: Vec<_> = validate_contact(&bad).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["kind", "summary", "follow_up"]);
        let good = ContactInput {
            kind: "Call".into(),
            summary: "Asked for the new catalogue".into(),
            follow_up: "2026-12-01".into(),
        };
        let data = validate_contact(&good).unwrap();
        assert_eq!((data.kind, data.follow_up), (ContactKind::Call, NaiveDate::from_ymd_opt(2026, 12, 1)));
    }

    #[test]
    fn due_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(due(today, today), Due::Today);
        assert_eq!(due(today.pred_opt().unwrap(), today), Due::Overdue { days: 1 });
        assert_eq!(due(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), today), Due::Upcoming { days: 4 });
    }
}
