//! Order reports for the command line: open orders, what waits for stock, shipments.

use super::Session;
use super::stock_reports::Report;
use crate::db::orders as repo;
use crate::domain::money::Quantity;
use crate::domain::order::OrderStatus;
use crate::error::Result;

/// Orders not yet fully shipped: waiting for approval, confirmed, part shipped.
pub fn open_orders(session: &Session) -> Result<Report> {
    let columns: &[&str] =
        &["number", "order_date", "customer", "name", "status", "ship_by", "salesperson", "gross", "backorder"];
    let mut rows = Vec::new();
    let open = [OrderStatus::AwaitingApproval, OrderStatus::Confirmed, OrderStatus::PartlyShipped];
    repo::for_each_in(session.db.conn(), &open, false, |o| {
        rows.push(vec![
            o.number,
            o.order_date,
            o.customer_code,
            o.customer_name,
            o.status.as_str().to_string(),
            o.ship_by,
            o.salesperson,
            o.gross.to_string(),
            if o.backorder { "yes" } else { "no" }.to_string(),
        ]);
        Ok(())
    })?;
    Ok((columns, rows))
}

/// Every order line part of which no shipment holds yet, with what the warehouse has now.
pub fn backorders(session: &Session) -> Result<Report> {
    let columns: &[&str] =
        &["number", "order_date", "customer", "sku", "name", "ordered", "shipped", "to_pick", "waiting", "available"];
    let conn = session.db.conn();
    let mut rows = Vec::new();
    repo::for_each_in(conn, &[], true, |o| {
        for l in repo::lines(conn, o.id)? {
            let waiting = l.backordered();
            if waiting <= Quantity::ZERO {
                continue;
            }
            let available = crate::db::ledger::level(conn, l.product_id, o.warehouse_id)?
                .map(|level| level.available())
                .unwrap_or_default();
            rows.push(vec![
                o.number.clone(),
                o.order_date.clone(),
                o.customer_code.clone(),
                l.sku,
                l.name,
                l.quantity.to_string(),
                l.shipped.to_string(),
                l.allocated.to_string(),
                waiting.to_string(),
                available.to_string(),
            ]);
        }
        Ok(())
    })?;
    Ok((columns, rows))
}

/// Shipments (of one status, or all): what left when, with whom, for which order.
pub fn shipments(session: &Session, status: Option<&str>) -> Result<Report> {
    let columns: &[&str] = &[
        "shipment",
        "order",
        "customer",
        "warehouse",
        "status",
        "created",
        "shipped_at",
        "delivered_on",
        "carrier",
        "tracking",
        "lines",
        "units",
    ];
    let mut rows = Vec::new();
    repo::for_each_shipment(session.db.conn(), status, |s, order, customer| {
        let units = s.lines.iter().fold(Quantity::ZERO, |sum, l| sum + l.quantity);
        rows.push(vec![
            s.number,
            order.to_string(),
            customer.to_string(),
            s.warehouse,
            s.status,
            s.created_at,
            s.shipped_at.unwrap_or_default(),
            s.delivered_on.unwrap_or_default(),
            s.carrier,
            s.tracking,
            s.lines.len().to_string(),
            units.to_string(),
        ]);
        Ok(())
    })?;
    Ok((columns, rows))
}
