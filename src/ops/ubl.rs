//! An issued invoice or credit note as a UBL 2.1 e-invoice following the EN 16931 core:
//! seller and buyer, lines, tax per rate, totals. Amounts are net of tax on every line, as
//! the standard wants; for prices that include tax each rate's base is spread over its
//! lines, the last line taking the rounding, so the lines add up to the base exactly.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::Session;
use super::invoices::InvoiceDetail;
use crate::domain::money::Money;
use crate::error::{Error, Result};
use crate::i18n::tf;

/// Text safe inside an XML element or attribute.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Each line's amount net of tax: as stored, or with prices including tax, its rate's base
/// shared out over the rate's lines in proportion, the last line taking what rounding left.
fn net_lines(d: &InvoiceDetail) -> Vec<Money> {
    if !d.invoice.prices_include_tax {
        return d.lines.iter().map(|l| l.amount).collect();
    }
    let mut nets = vec![Money::ZERO; d.lines.len()];
    for tax in &d.taxes {
        let of_rate: Vec<usize> = (0..d.lines.len()).filter(|i| d.lines[*i].tax_rate == tax.rate).collect();
        let gross: Decimal = of_rate.iter().map(|i| d.lines[*i].amount.value()).sum();
        let mut given = Decimal::ZERO;
        for (k, i) in of_rate.iter().enumerate() {
            let share = if k + 1 == of_rate.len() || gross.is_zero() {
                tax.base.value() - given
            } else {
                Money::round_from(tax.base.value() * d.lines[*i].amount.value() / gross).value()
            };
            given += share;
            nets[*i] = Money::round_from(share);
        }
    }
    nets
}

fn category(rate: Decimal) -> &'static str {
    // S: standard or reduced rate; Z: zero rated.
    if rate.is_zero() { "Z" } else { "S" }
}

/// The UBL XML of an issued invoice or credit note.
pub fn ubl(session: &Session, d: &InvoiceDetail) -> Result<String> {
    let inv = &d.invoice;
    let Some(number) = &inv.number else {
        return Err(Error::Refused(tf("invoice.ubl_draft", &[("id", &inv.id)])));
    };
    let conn = session.db.conn();
    let [shop_name, shop_address, shop_tax_id, payment] = super::order_entry::shop_details(conn)?;
    let currency = match crate::db::orders::setting(conn, "currency")? {
        c if c.trim().is_empty() => "EUR".to_string(),
        c => c.trim().to_uppercase(),
    };
    // The shop's country (ISO 3166 code, `settings country DE`); customers are taken to be
    // in the same one until customers carry their own.
    let country = crate::db::orders::setting(conn, "country")?.trim().to_uppercase();
    let (root, line_tag, quantity_tag, type_tag, type_code) = if inv.credit_note {
        ("CreditNote", "CreditNoteLine", "CreditedQuantity", "CreditNoteTypeCode", "381")
    } else {
        ("Invoice", "InvoiceLine", "InvoicedQuantity", "InvoiceTypeCode", "380")
    };
    let mut x = String::new();
    let _ = writeln!(x, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        x,
        r#"<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">"#
    );
    let _ = writeln!(x, "  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>");
    let _ = writeln!(x, "  <cbc:ID>{}</cbc:ID>", xml(number));
    let _ = writeln!(x, "  <cbc:IssueDate>{}</cbc:IssueDate>", inv.issue_date);
    if !inv.credit_note {
        let _ = writeln!(x, "  <cbc:DueDate>{}</cbc:DueDate>", inv.due_date);
    }
    let _ = writeln!(x, "  <cbc:{type_tag}>{type_code}</cbc:{type_tag}>");
    if inv.credit_note && !inv.reason.is_empty() {
        let _ = writeln!(x, "  <cbc:Note>{}</cbc:Note>", xml(&inv.reason));
    }
    let _ = writeln!(x, "  <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>");
    if let Some(credited) = inv.credits_id.and_then(|id| crate::db::invoices::invoice(conn, id).ok().flatten()) {
        let _ = writeln!(
            x,
            "  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>",
            xml(&credited.number.unwrap_or_default())
        );
    }
    let party = |x: &mut String, role: &str, name: &str, address: &str, tax_id: &str| {
        let _ = writeln!(x, "  <cac:{role}><cac:Party>");
        let _ = writeln!(x, "    <cac:PartyName><cbc:Name>{}</cbc:Name></cac:PartyName>", xml(name));
        let country = if country.is_empty() {
            String::new()
        } else {
            format!("<cac:Country><cbc:IdentificationCode>{}</cbc:IdentificationCode></cac:Country>", xml(&country))
        };
        let _ = writeln!(
            x,
            "    <cac:PostalAddress><cbc:StreetName>{}</cbc:StreetName>{country}</cac:PostalAddress>",
            xml(address)
        );
        if !tax_id.is_empty() {
            let _ = writeln!(
                x,
                "    <cac:PartyTaxScheme><cbc:CompanyID>{}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>",
                xml(tax_id)
            );
        }
        let _ = writeln!(
            x,
            "    <cac:PartyLegalEntity><cbc:RegistrationName>{}</cbc:RegistrationName></cac:PartyLegalEntity>",
            xml(name)
        );
        let _ = writeln!(x, "  </cac:Party></cac:{role}>");
    };
    party(&mut x, "AccountingSupplierParty", &shop_name, &shop_address, &shop_tax_id);
    party(&mut x, "AccountingCustomerParty", &inv.customer_name, &inv.customer_address, &inv.customer_tax_id);
    if !payment.is_empty() && !inv.credit_note {
        let _ = writeln!(
            x,
            "  <cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode><cbc:PaymentID>{}</cbc:PaymentID><cbc:InstructionNote>{}</cbc:InstructionNote></cac:PaymentMeans>",
            xml(number),
            xml(&payment)
        );
    }
    let _ = writeln!(x, r#"  <cac:TaxTotal><cbc:TaxAmount currencyID="{currency}">{}</cbc:TaxAmount>"#, inv.tax);
    for t in &d.taxes {
        let _ = writeln!(
            x,
            r#"    <cac:TaxSubtotal><cbc:TaxableAmount currencyID="{currency}">{}</cbc:TaxableAmount><cbc:TaxAmount currencyID="{currency}">{}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>{}</cbc:ID><cbc:Percent>{}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>"#,
            t.base,
            t.tax,
            category(t.rate),
            t.rate
        );
    }
    let _ = writeln!(x, "  </cac:TaxTotal>");
    let _ = writeln!(
        x,
        r#"  <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="{currency}">{net}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="{currency}">{net}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="{currency}">{gross}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="{currency}">{gross}</cbc:PayableAmount></cac:LegalMonetaryTotal>"#,
        net = inv.net,
        gross = inv.gross
    );
    for (l, net) in d.lines.iter().zip(net_lines(d)) {
        let _ = writeln!(x, "  <cac:{line_tag}>");
        let _ = writeln!(x, "    <cbc:ID>{}</cbc:ID>", l.line);
        let _ = writeln!(
            x,
            r#"    <cbc:{quantity_tag} unitCode="C62">{}</cbc:{quantity_tag}>"#,
            l.quantity.value().normalize()
        );
        let _ = writeln!(x, r#"    <cbc:LineExtensionAmount currencyID="{currency}">{net}</cbc:LineExtensionAmount>"#);
        let _ = writeln!(
            x,
            "    <cac:Item><cbc:Name>{}</cbc:Name><cac:SellersItemIdentification><cbc:ID>{}</cbc:ID></cac:SellersItemIdentification><cac:ClassifiedTaxCategory><cbc:ID>{}</cbc:ID><cbc:Percent>{}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>",
            xml(&l.name),
            xml(&l.sku),
            category(l.tax_rate),
            l.tax_rate
        );
        // The net unit price: what the line's net amount is per unit.
        let unit = if l.quantity.is_zero() { Decimal::ZERO } else { (net.value() / l.quantity.value()).round_dp(4) };
        let _ = writeln!(
            x,
            r#"    <cac:Price><cbc:PriceAmount currencyID="{currency}">{unit}</cbc:PriceAmount></cac:Price>"#
        );
        let _ = writeln!(x, "  </cac:{line_tag}>");
    }
    let _ = writeln!(x, "</{root}>");
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_invoice_as_ubl_adds_up_and_escapes() {
        let (mut s, number) = crate::ops::invoices::tests_support::shipped_order();
        crate::ops::order_entry::set_setting(&mut s, "shop_name", "Müller & Söhne 市场").unwrap();
        let d =
            crate::ops::invoices::draft_from_orders(&mut s, &[number], crate::ops::invoices::Basis::Ordered).unwrap();
        let draft_refused = ubl(&s, &d).unwrap_err();
        assert!(draft_refused.to_string().contains("draft"), "{draft_refused}");
        let inv = crate::ops::invoices::issue(&mut s, d.invoice.id, d.invoice.version).unwrap();
        let x = ubl(&s, &inv).unwrap();
        assert!(x.contains("<cbc:ID>INV-2026-000001</cbc:ID>"));
        assert!(x.contains("Müller &amp; Söhne 市场"), "escaped, and UTF-8 kept");
        assert!(x.contains(r#"<cbc:TaxInclusiveAmount currencyID="EUR">15.68</cbc:TaxInclusiveAmount>"#), "{x}");
        assert!(x.contains(r#"<cbc:TaxableAmount currencyID="EUR">7.98</cbc:TaxableAmount>"#));
        assert_eq!(x.matches("<cac:InvoiceLine>").count(), 2);
    }

    #[test]
    fn with_prices_including_tax_the_line_nets_add_up_to_each_base() {
        let lines = |amounts: &[(&str, &str)]| -> InvoiceDetail {
            let mut d = crate::ops::invoices::InvoiceDetail {
                invoice: crate::db::invoices::Invoice {
                    id: 1,
                    series: "INV".into(),
                    number: Some("X".into()),
                    issued: true,
                    customer_id: 1,
                    customer_code: String::new(),
                    customer_name: String::new(),
                    customer_address: String::new(),
                    customer_tax_id: String::new(),
                    issue_date: String::new(),
                    due_date: String::new(),
                    prices_include_tax: true,
                    net: Money::ZERO,
                    tax: Money::ZERO,
                    gross: Money::ZERO,
                    chain_seq: None,
                    prev_hash: String::new(),
                    hash: String::new(),
                    created_at: String::new(),
                    version: 1,
                    credit_note: false,
                    credits_id: None,
                    reason: String::new(),
                },
                lines: Vec::new(),
                taxes: Vec::new(),
                credits: None,
            };
            for (n, (amount, rate)) in amounts.iter().enumerate() {
                d.lines.push(crate::db::invoices::InvoiceLine {
                    line: n as i64 + 1,
                    order_id: None,
                    order_line: None,
                    product_id: None,
                    sku: String::new(),
                    name: String::new(),
                    unit: String::new(),
                    quantity: crate::domain::money::Quantity::parse("1").unwrap(),
                    unit_price: crate::domain::money::Price::ZERO,
                    discount: Decimal::ZERO,
                    tax_rate: rate.parse().unwrap(),
                    amount: Money::parse(amount).unwrap(),
                    credits_line: None,
                });
            }
            let all: Vec<(Money, Decimal)> = d.lines.iter().map(|l| (l.amount, l.tax_rate)).collect();
            let t = crate::domain::order::totals(&all, true).unwrap();
            d.taxes = t
                .rates
                .iter()
                .map(|r| crate::db::invoices::TaxLine { rate: r.rate, base: r.base, tax: r.tax })
                .collect();
            d
        };
        let d = lines(&[("1.00", "19"), ("1.00", "19"), ("1.00", "19"), ("5.35", "7")]);
        let nets = net_lines(&d);
        let of_19: Decimal = nets[..3].iter().map(|m| m.value()).sum();
        assert_eq!(Money::round_from(of_19), d.taxes.iter().find(|t| t.rate == Decimal::from(19)).unwrap().base);
        assert_eq!(nets[3], Money::parse("5.00").unwrap());
    }
}
