//! Pure types and rules of the shop: no I/O, no database, no terminal.

pub mod crm;
pub mod customer;
pub mod fields;
pub mod forecast;
pub mod history;
pub mod ids;
pub mod invoice;
pub mod money;
pub mod order;
pub mod payment;
pub mod pipeline;
pub mod purchasing;
pub mod replenish;
pub mod rfm;
pub mod stock;
pub mod text;
pub mod tier;
pub mod user;
