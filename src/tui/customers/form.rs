//! The customer create/edit form.

use strum::IntoEnumIterator;

use crate::domain::customer::{Customer, CustomerData, CustomerField};
use crate::domain::ids::CustomerId;
use crate::i18n::{field_label, t, tf};
use crate::tui::form::{Form, FormField};

#[derive(Debug)]
pub struct CustomerForm {
    /// The customer being edited and the version the edit is based on; `None` for new.
    pub editing: Option<(CustomerId, i64)>,
    pub form: Form,
}

impl CustomerForm {
    pub fn new_customer() -> CustomerForm {
        let form = Form::new(t("form.new_title").to_string(), fields(&CustomerData::default(), true));
        // A new customer starts at the name: the code is usually generated.
        CustomerForm { editing: None, form: form.focus_on(CustomerField::Name.column()) }
    }

    pub fn edit(customer: &Customer) -> CustomerForm {
        let title = tf("form.edit_title", &[("code", &customer.data.code)]);
        CustomerForm {
            editing: Some((customer.id, customer.version)),
            form: Form::new(title, fields(&customer.data, false)),
        }
    }

    pub fn data(&self) -> CustomerData {
        let mut data = CustomerData::default();
        for field in CustomerField::iter() {
            data.set(field, self.form.value(field.column()).to_string());
        }
        data
    }
}

fn fields(data: &CustomerData, new: bool) -> Vec<FormField> {
    CustomerField::iter()
        .map(|f| {
            let field = FormField::new(f.column(), field_label(f), data.get(f));
            match f {
                _ if f.required() => field.required(),
                CustomerField::Code if new => field.hint(t("form.code_hint")),
                CustomerField::Tier => field.hint(t("form.tier_hint")),
                CustomerField::Notes => field.hint(t("form.notes_hint")),
                _ => field,
            }
        })
        .collect()
}
