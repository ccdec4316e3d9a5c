//! Customers: their fields, the limits each field obeys, and validation of an edit.

use strum::{EnumIter, IntoEnumIterator};

use super::ids::CustomerId;
use super::text::has_control_chars;

/// Every field a person can type for a customer, in form order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter)]
pub enum CustomerField {
    Code,
    Name,
    Company,
    Contact,
    Title,
    Phone,
    Email,
    Address,
    City,
    Region,
    Tier,
    Salesperson,
    TaxId,
    Notes,
}

impl CustomerField {
    /// The column name in CSV files and the database.
    pub fn column(self) -> &'static str {
        match self {
            CustomerField::Code => "code",
            CustomerField::Name => "name",
            CustomerField::Company => "company",
            CustomerField::Contact => "contact",
            CustomerField::Title => "title",
            CustomerField::Phone => "phone",
            CustomerField::Email => "email",
            CustomerField::Address => "address",
            CustomerField::City => "city",
            CustomerField::Region => "region",
            CustomerField::Tier => "tier",
            CustomerField::Salesperson => "salesperson",
            CustomerField::TaxId => "tax_id",
            CustomerField::Notes => "notes",
        }
    }

    pub fn from_column(name: &str) -> Option<Self> {
        Self::iter().find(|f| f.column() == name)
    }

    /// Only the name is required; a code is generated when left empty.
    pub fn required(self) -> bool {
        self == CustomerField::Name
    }

    /// Longest value accepted, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            CustomerField::Code => 32,
            CustomerField::Phone | CustomerField::TaxId | CustomerField::Tier => 40,
            CustomerField::Notes => 10_000,
            CustomerField::Address => 300,
            _ => 200,
        }
    }
}

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub data: CustomerData,
    /// RFC 3339 UTC time of creation.
    pub created_at: String,
    /// Set when archived; archived customers stay for the documents that refer to them.
    pub archived_at: Option<String>,
    /// Bumped on every change; an edit based on an older version is refused.
    pub version: i64,
}

/// The editable part of a customer: what a form or a CSV line supplies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerData {
    pub code: String,
    pub name: String,
    pub company: String,
    pub contact: String,
    pub title: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub city: String,
    pub region: String,
    pub tier: String,
    pub salesperson: String,
    pub tax_id: String,
    pub notes: String,
}

impl CustomerData {
    pub fn get(&self, field: CustomerField) -> &str {
        match field {
            CustomerField::Code => &self.code,
            CustomerField::Name => &self.name,
            CustomerField::Company => &self.company,
            CustomerField::Contact => &self.contact,
            CustomerField::Title => &self.title,
            CustomerField::Phone => &self.phone,
            CustomerField::Email => &self.email,
            CustomerField::Address => &self.address,
            CustomerField::City => &self.city,
            CustomerField::Region => &self.region,
            CustomerField::Tier => &self.tier,
            CustomerField::Salesperson => &self.salesperson,
            CustomerField::TaxId => &self.tax_id,
            CustomerField::Notes => &self.notes,
        }
    }

    pub fn set(&mut self, field: CustomerField, value: String) {
        let slot = match field {
            CustomerField::Code => &mut self.code,
            CustomerField::Name => &mut self.name,
            CustomerField::Company => &mut self.company,
            CustomerField::Contact => &mut self.contact,
            CustomerField::Title => &mut self.title,
            CustomerField::Phone => &mut self.phone,
            CustomerField::Email => &mut self.email,
            CustomerField::Address => &mut self.address,
            CustomerField::City => &mut self.city,
            CustomerField::Region => &mut self.region,
            CustomerField::Tier => &mut self.tier,
            CustomerField::Salesperson => &mut self.salesperson,
            CustomerField::TaxId => &mut self.tax_id,
            CustomerField::Notes => &mut self.notes,
        };
        *slot = value;
    }

    /// The lower-cased text the list filter searches: code, name, company, contact, phone
    /// and email in one column, so a filter is one `LIKE` per row.
    pub fn search_text(&self) -> String {
        [&self.code, &self.name, &self.company, &self.contact, &self.phone, &self.email]
            .iter()
            .map(|s| s.to_lowercase())
            .collect::<Vec<_>>()
            .join("\u{1f}")
    }
}

pub use super::fields::{FieldError, Problem};

/// Trims every field and checks it. Returns the cleaned data, or every problem found, so a
/// form can mark all bad fields at once. `known_tiers` are the shop's tier codes.
pub fn validate(data: &CustomerData, known_tiers: &[String]) -> Result<CustomerData, Vec<FieldError>> {
    let mut clean = CustomerData::default();
    let mut errors = Vec::new();
    for field in CustomerField::iter() {
        let raw = data.get(field);
        let value = if field == CustomerField::Notes {
            super::fields::unify_line_ends(raw).trim_end().to_string()
        } else {
            raw.trim().to_string()
        };
        if let Some(problem) = check_field(field, &value, known_tiers) {
            errors.push(FieldError { field: field.column(), problem });
        }
        clean.set(field, value);
    }
    if let Some(known) = known_tiers.iter().find(|t| t.eq_ignore_ascii_case(&clean.tier)) {
        clean.tier = known.clone();
    }
    if errors.is_empty() { Ok(clean) } else { Err(errors) }
}

fn check_field(field: CustomerField, value: &str, known_tiers: &[String]) -> Option<Problem> {
    let len = value.chars().count();
    if value.is_empty() {
        return field.required().then_some(Problem::Required);
    }
    if len > field.max_chars() {
        return Some(Problem::TooLong { max: field.max_chars(), len });
    }
    let control = if field == CustomerField::Notes {
        value.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
    } else {
        has_control_chars(value)
    };
    if control {
        return Some(Problem::ControlCharacters);
    }
    match field {
        CustomerField::Code if !valid_code(value) => Some(Problem::InvalidCode),
        CustomerField::Email if !valid_email(value) => Some(Problem::InvalidEmail),
        CustomerField::Phone if !valid_phone(value) => Some(Problem::InvalidPhone),
        CustomerField::Tier if !known_tiers.iter().any(|t| t.eq_ignore_ascii_case(value)) => {
            Some(Problem::UnknownTier { known: known_tiers.to_vec() })
        }
        _ => None,
    }
}

/// Codes are typed and scanned: ASCII letters, digits and `- _ . /`, no spaces. ASCII only,
/// so "the same code in another case" means the same thing to SQLite's NOCASE and to us.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

fn valid_phone(phone: &str) -> bool {
    phone.chars().any(|c| c.is_ascii_digit())
        && phone.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/' | 'x' | 'X'))
}

/// The code given to a customer created without one: `C` and six digits from a counter.
pub fn generated_code(sequence: i64) -> String {
    format!("C{sequence:06}")
}

/// The counter value behind a code in the generated form, so imported codes like
/// `C000120` move the counter past them.
pub fn generated_sequence(code: &str) -> Option<i64> {
    let digits = code.strip_prefix('C')?;
    // At most nine digits: the counter stays far from overflow whatever code is typed.
    if !(6..=9).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers() -> Vec<String> {
        ["VIP", "A", "B", "C"].map(String::from).to_vec()
    }

    fn problems(data: &CustomerData) -> Vec<(CustomerField, Problem)> {
        match validate(data, &tiers()) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().filter_map(|e| Some((CustomerField::from_column(e.field)?, e.problem))).collect(),
        }
    }

    #[test]
    fn name_is_required_and_everything_else_optional() {
        let empty = CustomerData::default();
        assert_eq!(problems(&empty), vec![(CustomerField::Name, Problem::Required)]);
        let named = CustomerData { name: "  张伟  ".into(), ..Default::default() };
        assert_eq!(validate(&named, &tiers()).unwrap().name, "张伟");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let data = CustomerData {
            name: "x".repeat(5000),
            email: "no-at-sign.example.com".into(),
            phone: "call me".into(),
            code: "has space".into(),
            tier: "Gold".into(),
            city: "Evil\u{1b}[2J".into(),
            ..Default::default()
        };
        let found: Vec<_> = problems(&data).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            found,
            vec![
                CustomerField::Code,
                CustomerField::Name,
                CustomerField::Phone,
                CustomerField::Email,
                CustomerField::City,
                CustomerField::Tier
            ]
        );
        assert!(problems(&data).contains(&(CustomerField::Name, Problem::TooLong { max: 200, len: 5000 })));
    }

    #[test]
    fn tier_matches_case_insensitively_and_is_stored_as_defined() {
        let data = CustomerData { name: "Ana".into(), tier: "vip".into(), ..Default::default() };
        assert_eq!(validate(&data, &tiers()).unwrap().tier, "VIP");
    }

    #[test]
    fn emails_and_phones() {
        assert!(valid_email("li.na@example.cn"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("a@@b.com"));
        assert!(!valid_email("@b.com"));
        assert!(valid_phone("+86 (10) 6552-1234"));
        assert!(!valid_phone("phone"));
    }

    #[test]
    fn notes_may_span_lines() {
        let data = CustomerData { name: "Ana".into(), notes: "line one\nline two\n".into(), ..Default::default() };
        assert_eq!(validate(&data, &tiers()).unwrap().notes, "line one\nline two");
    }

    #[test]
    fn generated_codes_sort_in_creation_order() {
        assert_eq!(generated_code(7), "C000007");
        assert!(generated_code(99) < generated_code(100));
        assert_eq!(generated_sequence(&generated_code(42)), Some(42));
        assert_eq!(generated_sequence("C12"), None);
        assert_eq!(generated_sequence("CUST-000001"), None);
        assert_eq!(generated_sequence("C9223372036854775807"), None, "would overflow the counter");
        assert!(!valid_code("Ä1"), "codes are ASCII");
    }
}
