//! Pure types and rules of the shop: no I/O, no database, no terminal.

pub mod customer;
pub mod ids;
pub mod money;
pub mod text;
pub mod user;
