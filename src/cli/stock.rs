//! `shopdesk stock ...`: book stock moves headless, for scripts and scanners on a server.

use clap::Subcommand;

use crate::domain::money::Quantity;
use crate::domain::stock::MoveKind;
use crate::error::{Error, Result};
use crate::i18n::tf;
use crate::ops::Session;
use crate::ops::ledger::{self, MoveForm, TransferInput};
use crate::ops::stock;

#[derive(Debug, Subcommand)]
pub enum StockAction {
    /// Book goods received: PRODUCT (SKU or barcode) and QUANTITY
    Receive {
        product: String,
        quantity: String,
        #[arg(long, short)]
        warehouse: Option<String>,
        /// Lot code (required for lot-tracked products)
        #[arg(long)]
        lot: Option<String>,
        /// Lot expiry date, YYYY-MM-DD
        #[arg(long)]
        expiry: Option<String>,
        /// Unit cost (default: the product's cost price)
        #[arg(long)]
        cost: Option<String>,
        /// Delivery note or purchase order number
        #[arg(long)]
        reference: Option<String>,
    },
    /// Correct stock by QUANTITY (negative takes out), with a reason
    Adjust {
        product: String,
        #[arg(allow_hyphen_values = true)]
        quantity: String,
        #[arg(long)]
        reason: String,
        #[arg(long, short)]
        warehouse: Option<String>,
        #[arg(long)]
        lot: Option<String>,
    },
    /// Take damaged or lost goods out of stock, with a reason
    Scrap {
        product: String,
        quantity: String,
        #[arg(long)]
        reason: String,
        #[arg(long, short)]
        warehouse: Option<String>,
        #[arg(long)]
        lot: Option<String>,
    },
    /// Take back goods a customer returned: they go into stock again
    Return {
        product: String,
        quantity: String,
        #[arg(long, short)]
        warehouse: Option<String>,
        /// Lot the goods belong to (lot-tracked products)
        #[arg(long)]
        lot: Option<String>,
        /// The lot's expiry date, YYYY-MM-DD, if the lot is new here
        #[arg(long)]
        expiry: Option<String>,
        /// The customer's order or credit note
        #[arg(long)]
        reference: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Send goods to another warehouse: LINES as SKU=QUANTITY
    Transfer {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(required = true)]
        lines: Vec<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Book a sent transfer as received at its destination
    ReceiveTransfer { code: String },
    /// Write off every lot past its expiry date
    WriteOffExpired,
}

fn form(product: String, quantity: String, warehouse: Option<String>, lot: Option<String>) -> MoveForm {
    MoveForm {
        product,
        quantity,
        warehouse: warehouse.unwrap_or_default(),
        lot: lot.unwrap_or_default(),
        ..Default::default()
    }
}

fn post(session: &mut Session, kind: MoveKind, form: MoveForm) -> Result<()> {
    let input = ledger::parse_move(session.db.conn(), &form, kind)?;
    if kind == MoveKind::Receipt {
        ledger::receive(session, std::slice::from_ref(&input))?;
    } else {
        ledger::post(session, kind, &input)?;
    }
    let after = stock::product_detail(session, input.product.id, 0)?
        .0
        .into_iter()
        .find(|l| l.warehouse_id == input.warehouse.id)
        .map(|l| l.on_hand)
        .unwrap_or_default();
    say!(
        "{}",
        tf(
            "cli.stock_posted",
            &[("sku", &input.product.data.sku), ("warehouse", &input.warehouse.data.code), ("on_hand", &after)]
        )
    )?;
    Ok(())
}

pub fn run(session: &mut Session, action: StockAction) -> Result<()> {
    match action {
        StockAction::Receive { product, quantity, warehouse, lot, expiry, cost, reference } => {
            let form = MoveForm {
                expiry: expiry.unwrap_or_default(),
                unit_cost: cost.unwrap_or_default(),
                reference: reference.unwrap_or_default(),
                ..form(product, quantity, warehouse, lot)
            };
            post(session, MoveKind::Receipt, form)
        }
        StockAction::Adjust { product, quantity, reason, warehouse, lot } => {
            post(session, MoveKind::Adjustment, MoveForm { note: reason, ..form(product, quantity, warehouse, lot) })
        }
        StockAction::Return { product, quantity, warehouse, lot, expiry, reference, note } => {
            let form = MoveForm {
                reference: reference.unwrap_or_default(),
                expiry: expiry.unwrap_or_default(),
                note,
                ..form(product, quantity, warehouse, lot)
            };
            post(session, MoveKind::Return, form)
        }
        StockAction::Scrap { product, quantity, reason, warehouse, lot } => {
            post(session, MoveKind::Scrap, MoveForm { note: reason, ..form(product, quantity, warehouse, lot) })
        }
        StockAction::Transfer { from, to, lines, note } => {
            let from = stock::warehouse_by_code(session, &from)?;
            let to = stock::warehouse_by_code(session, &to)?;
            let mut inputs = Vec::new();
            for line in &lines {
                let bad = || Error::BadArgument(tf("cli.bad_transfer_line", &[("line", line)]));
                let (code, quantity) = line.rsplit_once('=').ok_or_else(bad)?;
                let product = stock::find_product(session, code)?.ok_or_else(bad)?;
                let quantity = Quantity::parse(quantity).map_err(|_| bad())?;
                inputs.push(TransferInput { product, quantity, lot: String::new() });
            }
            let code = ledger::send_transfer(session, &from, &to, &inputs, &note)?;
            say!("{}", tf("cli.transfer_sent", &[("code", &code)]))?;
            Ok(())
        }
        StockAction::ReceiveTransfer { code } => {
            ledger::receive_transfer(session, &code)?;
            say!("{}", tf("cli.transfer_received", &[("code", &code)]))?;
            Ok(())
        }
        StockAction::WriteOffExpired => {
            let today = session.clock.today();
            let written = ledger::write_off_expired(session, today)?;
            say!("{}", tf("cli.written_off", &[("count", &written.len())]))?;
            Ok(())
        }
    }
}
