//! How times are shown: stored as UTC RFC 3339, shown in the local time zone.

use chrono::{DateTime, Local};

/// `2026-11-27 09:30` in local time; the stored text if it is not a time.
pub fn local_time(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => stored.to_string(),
    }
}
