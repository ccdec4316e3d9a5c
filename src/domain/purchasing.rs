//! Purchase orders: their statuses and the moves between them.

use strum::{EnumIter, IntoEnumIterator};

use super::crm::choice;
use super::fields::Problem;
use super::money::Quantity;

choice!(
    /// Where a purchase order stands.
    PoStatus {
        Draft => "draft",
        Sent => "sent",
        PartlyReceived => "partly_received",
        Received => "received",
        Cancelled => "cancelled",
    }
);

/// Why a purchase order cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoRefused {
    /// Only drafts are sent, changed or deleted.
    NotDraft(PoStatus),
    /// Goods are received only against sent orders.
    NotOpen(PoStatus),
    /// More than ordered would be received on a line.
    OverReceipt { ordered: Quantity, received: Quantity, arriving: Quantity },
    /// The same, for a named product.
    OverReceiptOf { sku: String, ordered: Quantity, received: Quantity, arriving: Quantity },
}

impl PoStatus {
    /// Orders that goods may still arrive for (and that count as incoming stock).
    pub fn is_open(self) -> bool {
        matches!(self, PoStatus::Sent | PoStatus::PartlyReceived)
    }

    pub fn check_send(self) -> Result<(), PoRefused> {
        if self == PoStatus::Draft { Ok(()) } else { Err(PoRefused::NotDraft(self)) }
    }

    pub fn check_receive(self) -> Result<(), PoRefused> {
        if self.is_open() { Ok(()) } else { Err(PoRefused::NotOpen(self)) }
    }

    pub fn check_cancel(self) -> Result<(), PoRefused> {
        if self == PoStatus::Draft || self.is_open() { Ok(()) } else { Err(PoRefused::NotOpen(self)) }
    }

    /// The status after a receipt, from what each line has received of what it ordered.
    pub fn after_receipt(lines: &[(Quantity, Quantity)]) -> PoStatus {
        if lines.iter().all(|(ordered, received)| received >= ordered) {
            PoStatus::Received
        } else {
            PoStatus::PartlyReceived
        }
    }
}

/// Checks one line of a receipt against what the order still expects.
pub fn check_arrival(ordered: Quantity, received: Quantity, arriving: Quantity) -> Result<(), PoRefused> {
    if received.value() + arriving.value() > ordered.value() {
        Err(PoRefused::OverReceipt { ordered, received, arriving })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: &str) -> Quantity {
        Quantity::parse(n).unwrap()
    }

    #[test]
    fn status_moves() {
        assert!(PoStatus::Draft.check_send().is_ok());
        assert_eq!(PoStatus::Sent.check_send(), Err(PoRefused::NotDraft(PoStatus::Sent)));
        assert!(PoStatus::Draft.check_receive().is_err(), "a draft has not been ordered yet");
        assert!(PoStatus::PartlyReceived.check_receive().is_ok());
        assert!(PoStatus::Received.check_cancel().is_err());
        assert_eq!(PoStatus::after_receipt(&[(q("5"), q("5")), (q("2"), q("1"))]), PoStatus::PartlyReceived);
        assert_eq!(PoStatus::after_receipt(&[(q("5"), q("5"))]), PoStatus::Received);
        assert!(check_arrival(q("10"), q("8"), q("2")).is_ok());
        assert!(matches!(check_arrival(q("10"), q("8"), q("2.5")), Err(PoRefused::OverReceipt { .. })));
    }
}
