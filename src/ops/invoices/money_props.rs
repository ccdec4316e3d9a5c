//! Random sequences of what a bookkeeper does (invoicing, shipping, payments, credit notes,
//! drafts deleted, credit used, refunds): whatever happens, and whatever is refused, every
//! kept figure equals a recomputation from the documents.

use proptest::prelude::*;

use crate::domain::money::{Money, Quantity};
use crate::domain::payment::Method;
use crate::domain::user::Role;
use crate::ops::Session;
use crate::ops::invoices::{Basis, delete_draft, draft_from_orders, issue, tests_support::shipped_order};

#[derive(Debug, Clone)]
enum Op {
    Invoice(usize, bool),
    Ship(usize),
    Pay(u8),
    Credit(usize, u8),
    CreditDraftDeleted(usize),
    UseCredit,
    Refund(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..4, any::<bool>()).prop_map(|(o, up_front)| Op::Invoice(o, up_front)),
        (0usize..4).prop_map(Op::Ship),
        (1u8..30).prop_map(Op::Pay),
        (0usize..6, 1u8..3).prop_map(|(i, q)| Op::Credit(i, q)),
        (0usize..6).prop_map(Op::CreditDraftDeleted),
        Just(Op::UseCredit),
        (1u8..10).prop_map(Op::Refund),
    ]
}

fn q(n: u8) -> Quantity {
    Quantity::parse(&n.to_string()).unwrap()
}

/// The fixture's shop, with 50 more pens and three more orders of pens confirmed.
fn shop() -> (Session, Vec<String>, String) {
    let (mut s, first) = shipped_order();
    let form = crate::ops::ledger::MoveForm { product: "PEN".into(), quantity: "50".into(), ..Default::default() };
    let m = crate::ops::ledger::parse_move(s.db.conn(), &form, crate::domain::stock::MoveKind::Receipt).unwrap();
    crate::ops::ledger::receive(&mut s, &[m]).unwrap();
    let customer = crate::ops::orders::by_number(&s, &first).unwrap();
    let mut numbers = vec![first];
    for n in 1..=3u8 {
        let mut d = crate::ops::order_entry::OrderDraft::new(&s).unwrap();
        let c = crate::db::customers::get(s.db.conn(), crate::domain::ids::CustomerId(customer.customer_id));
        d.set_customer(&s, c.unwrap().unwrap()).unwrap();
        d.add(crate::ops::stock::find_product(&s, "PEN").unwrap().unwrap(), q(n));
        let o = crate::ops::orders::save(&mut s, &d).unwrap();
        crate::ops::orders::confirm(&mut s, o.id, o.version).unwrap();
        numbers.push(o.number);
    }
    s.operator.role = Role::Manager;
    (s, numbers, customer.customer_code)
}

fn issued_numbers(s: &Session) -> Vec<String> {
    crate::ops::invoices::recent(s, 100)
        .unwrap()
        .into_iter()
        .filter(|i| i.issued && !i.credit_note)
        .filter_map(|i| i.number)
        .collect()
}

fn step(s: &mut Session, numbers: &[String], code: &str, op: &Op) {
    let day = s.clock.today();
    let _ = match op {
        Op::Invoice(o, up_front) => {
            let basis = if *up_front { Basis::Ordered } else { Basis::Shipped };
            draft_from_orders(s, &[numbers[o % numbers.len()].clone()], basis)
                .and_then(|d| issue(s, d.invoice.id, d.invoice.version))
                .map(|_| ())
        }
        Op::Ship(o) => {
            let order = crate::ops::orders::by_number(s, &numbers[o % numbers.len()]).unwrap();
            let detail = crate::ops::orders::detail(s, order.id).unwrap();
            match detail.shipments.iter().find(|x| x.status == "open") {
                Some(x) => crate::ops::orders::ship(s, &x.number.clone(), "", "").map(|_| ()),
                None => Ok(()),
            }
        }
        Op::Pay(amount) => {
            let amount = Money::parse(&amount.to_string()).unwrap();
            crate::ops::payments::record(s, code, Method::Cash, amount, day, "", &[]).map(|_| ())
        }
        Op::Credit(i, quantity) => match issued_numbers(s).get(*i) {
            Some(number) => crate::ops::credit_notes::draft(s, number, &[(1, q(*quantity))], "returned")
                .and_then(|d| crate::ops::credit_notes::issue(s, d.invoice.id, d.invoice.version, None))
                .map(|_| ()),
            None => Ok(()),
        },
        Op::CreditDraftDeleted(i) => match issued_numbers(s).get(*i) {
            Some(number) => crate::ops::credit_notes::draft(s, number, &[], "second thoughts")
                .and_then(|d| delete_draft(s, d.invoice.id)),
            None => Ok(()),
        },
        Op::UseCredit => crate::ops::payments::use_credit(s, code).map(|_| ()),
        Op::Refund(amount) => {
            let amount = Money::parse(&amount.to_string()).unwrap();
            crate::ops::refunds::request(s, code, amount, "asked back")
                .and_then(|r| crate::ops::refunds::approve(s, &r.number))
                .and_then(|r| crate::ops::refunds::pay(s, &r.number, Method::Cash))
                .map(|_| ())
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn kept_money_figures_equal_the_documents(ops in proptest::collection::vec(op(), 1..25)) {
        let (mut s, numbers, code) = shop();
        let customer = crate::ops::orders::by_number(&s, &numbers[0]).unwrap().customer_id;
        for op in &ops {
            step(&mut s, &numbers, &code, op);
            for problems in [
                crate::ops::invoices::check(&s).unwrap(),
                crate::ops::payments::check(&s).unwrap(),
                crate::ops::credit_notes::check(&s).unwrap(),
                crate::ops::sales::check(&s).unwrap(),
                crate::ops::finance_reports::check(&s).unwrap(),
                crate::ops::orders::check_all(&s).unwrap(),
            ] {
                prop_assert!(problems.is_empty(), "after {op:?}: {problems:?}");
            }
            // Never billed for more than was ordered; credit never negative.
            let over: i64 = s.db.conn()
                .query_row("SELECT count(*) FROM order_lines WHERE invoiced > quantity", [], |r| r.get(0)).unwrap();
            prop_assert_eq!(over, 0, "after {:?}", op);
            let credit = crate::db::invoices::credit(s.db.conn(), customer).unwrap();
            prop_assert!(credit >= Money::ZERO, "after {op:?}");
            prop_assert_eq!(credit, crate::db::invoices::credit_over_every_invoice(s.db.conn(), customer).unwrap());
            // The statement ends where the balance stands.
            let (_, rows) = crate::ops::payments::statement(&s, &code, "0000-01-01", "9999-12-31").unwrap();
            let closing = rows.last().map(|r| r[4].clone()).unwrap_or_default();
            prop_assert_eq!(closing, crate::ops::payments::balance(&s, customer).unwrap().to_string(), "after {:?}", op);
        }
    }
}
