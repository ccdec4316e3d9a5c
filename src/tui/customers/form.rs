//! The create/edit form: one text input per field, inline errors, and a dirty check for
//! the unsaved-changes guard.

use strum::IntoEnumIterator;
use tui_input::Input;

use crate::domain::customer::{Customer, CustomerData, CustomerField, FieldError};
use crate::domain::ids::CustomerId;

#[derive(Debug)]
pub struct CustomerForm {
    /// The customer being edited and the version the edit is based on; `None` for new.
    pub editing: Option<(CustomerId, i64)>,
    pub fields: Vec<(CustomerField, Input)>,
    pub focus: usize,
    pub errors: Vec<FieldError>,
    /// A problem with the whole form (someone else saved first, the file is busy).
    pub message: Option<String>,
    original: CustomerData,
}

impl CustomerForm {
    pub fn new_customer() -> CustomerForm {
        Self::from_data(None, CustomerData::default())
    }

    pub fn edit(customer: &Customer) -> CustomerForm {
        Self::from_data(Some((customer.id, customer.version)), customer.data.clone())
    }

    fn from_data(editing: Option<(CustomerId, i64)>, data: CustomerData) -> CustomerForm {
        let fields = CustomerField::iter().map(|f| (f, Input::new(data.get(f).to_string()))).collect();
        // A new customer starts at the name: the code is usually generated.
        let focus = if editing.is_none() { 1 } else { 0 };
        CustomerForm { editing, fields, focus, errors: Vec::new(), message: None, original: data }
    }

    pub fn data(&self) -> CustomerData {
        let mut data = CustomerData::default();
        for (field, input) in &self.fields {
            data.set(*field, input.value().to_string());
        }
        data
    }

    pub fn is_dirty(&self) -> bool {
        self.data() != self.original
    }

    pub fn focused_field(&self) -> CustomerField {
        self.fields.get(self.focus).map(|(f, _)| *f).unwrap_or(CustomerField::Name)
    }

    pub fn focused_input(&mut self) -> Option<&mut Input> {
        self.fields.get_mut(self.focus).map(|(_, i)| i)
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev_field(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }

    pub fn error_for(&self, field: CustomerField) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field.column())
    }

    /// Marks the fields a save refused and moves to the first of them.
    pub fn show_errors(&mut self, errors: Vec<FieldError>) {
        if let Some(first) = errors.first()
            && let Some(index) = self.fields.iter().position(|(f, _)| f.column() == first.field)
        {
            self.focus = index;
        }
        self.errors = errors;
    }
}
