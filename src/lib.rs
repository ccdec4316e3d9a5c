//! shopdesk: a keyboard-driven sales-management system for small shops.
//!
//! Layers, each depending only on those above it: `domain` (pure rules), `db` (the
//! repository over SQLite), `ops` (use cases, one transaction each), then the front ends
//! `tui` and `cli`. See docs/architecture.md.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod ops;
pub mod paths;
pub mod pdf;
pub mod tui;

pub use error::{Error, Result};
