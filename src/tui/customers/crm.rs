//! The Customers tab's relationship screens: logging a contact, recording feedback, the
//! follow-ups view and the open-feedback view, and what each key does there.

use super::{Screen, Source};
use crate::db::crm::{Contact, Feedback};
use crate::domain::crm::{ContactInput, ContactKind, FeedbackInput, FeedbackKind, Severity, Status};
use crate::domain::ids::CustomerId;
use crate::error::{Error, Result};
use crate::i18n::{column_label, t, tf};
use crate::ops::{Session, crm};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash};
use crate::tui::form::{Form, FormField};

/// Open follow-ups in date order, a window of them at a time (keyset on date and id).
#[derive(Debug, Default)]
pub struct FollowUpsView {
    pub rows: Vec<Contact>,
    pub selected: usize,
    /// Overdue, today, upcoming.
    pub counts: (usize, usize, usize),
    more_below: bool,
}

impl FollowUpsView {
    /// Re-reads the window where it stands (from its first row on), keeping the highlight on
    /// the same follow-up or, if that one is done, at the same place.
    pub fn reload(&mut self, session: &Session, capacity: usize) -> Result<()> {
        let keep = self.rows.get(self.selected).map(|c| c.id);
        // (date, id - 1) is just before the first row: the window starts at that row.
        let from = self.rows.first().map(|c| (c.follow_up.clone().unwrap_or_default(), c.id - 1));
        self.counts = crm::follow_up_counts(session)?;
        self.rows = crm::follow_ups(session, from.as_ref().map(|(d, i)| (d.as_str(), *i)), capacity)?;
        if self.rows.len() < capacity && from.is_some() {
            // Rows went away at the end: fill the window from the start.
            self.rows = crm::follow_ups(session, None, capacity)?;
        }
        self.more_below = self.rows.len() == capacity;
        self.selected = keep.and_then(|id| self.rows.iter().position(|c| c.id == id)).unwrap_or(self.selected);
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        Ok(())
    }

    pub fn selected(&self) -> Option<&Contact> {
        self.rows.get(self.selected)
    }

    fn key(contact: &Contact) -> (String, i64) {
        (contact.follow_up.clone().unwrap_or_default(), contact.id)
    }

    pub fn down(&mut self, session: &Session) -> Result<()> {
        if self.selected + 1 < self.rows.len() {
            self.selected += 1;
            return Ok(());
        }
        let Some(last) = self.rows.last().filter(|_| self.more_below) else { return Ok(()) };
        let (date, id) = Self::key(last);
        match crm::follow_ups(session, Some((&date, id)), 1)?.pop() {
            Some(next) => {
                self.rows.remove(0);
                self.rows.push(next);
            }
            None => self.more_below = false,
        }
        Ok(())
    }

    pub fn up(&mut self, session: &Session) -> Result<()> {
        if self.selected > 0 {
            self.selected -= 1;
            return Ok(());
        }
        let Some(first) = self.rows.first() else { return Ok(()) };
        let (date, id) = Self::key(first);
        if let Some(previous) = crm::follow_ups_before(session, (&date, id), 1)?.pop() {
            self.rows.insert(0, previous);
            self.rows.pop();
            self.more_below = true;
        }
        Ok(())
    }
}

/// Open feedback and complaints, most severe and oldest first.
#[derive(Debug, Default)]
pub struct FeedbackView {
    pub rows: Vec<Feedback>,
    pub selected: usize,
    pub total: usize,
}

/// The longest list the open-feedback view shows: the most urgent first. More than this
/// open at once is a sign to work the list down; the title says how many there are in all.
pub const FEEDBACK_SHOWN: usize = 300;

impl FeedbackView {
    pub fn reload(&mut self, session: &Session) -> Result<()> {
        let keep = self.rows.get(self.selected).map(|f| f.id);
        (self.rows, self.total) = crm::feedback_to_handle(session, FEEDBACK_SHOWN)?;
        self.selected = keep.and_then(|id| self.rows.iter().position(|f| f.id == id)).unwrap_or(self.selected);
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        Ok(())
    }

    pub fn selected(&self) -> Option<&Feedback> {
        self.rows.get(self.selected)
    }
}

/// The customer's relationship at a glance, for the detail screen.
#[derive(Debug, Default)]
pub struct Glance {
    pub contacts: Vec<Contact>,
    pub feedback: Vec<Feedback>,
    /// Deals still in an open stage.
    pub deals: Vec<crate::db::pipeline::Opportunity>,
    /// The latest orders, newest first.
    pub orders: Vec<crate::db::orders::Order>,
    /// Net revenue of every order that went ahead.
    pub revenue: crate::domain::money::Money,
    /// Open invoices less credit.
    pub balance: crate::domain::money::Money,
}

/// What a record form saves.
#[derive(Debug)]
pub enum RecordKind {
    Contact { customer: CustomerId },
    Feedback { customer: CustomerId },
    Resolve { item: Box<Feedback> },
    Opportunity { customer: CustomerId, editing: Option<Box<crate::db::pipeline::Opportunity>> },
    LostReason { deal: Box<crate::db::pipeline::Opportunity>, stage: String },
    Tier { editing: Option<Box<crate::domain::tier::Tier>> },
    Stage { editing: bool },
}

/// Where a record form returns to when saved or left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    Detail(CustomerId),
    FollowUps,
    Feedback,
    Pipeline,
    Opportunities,
    Tiers,
    Stages,
}

#[derive(Debug)]
pub struct RecordForm {
    pub kind: RecordKind,
    pub form: Form,
    pub back: Back,
}

impl RecordForm {
    fn contact(customer: CustomerId, name: &str, back: Back) -> RecordForm {
        let kinds = ContactKind::all().join(", ");
        let fields = vec![
            FormField::new("kind", column_label("kind"), "call")
                .required()
                .hint(tf("crm.kind_hint", &[("kinds", &kinds)])),
            FormField::new("summary", column_label("summary"), "").required().hint(t("crm.summary_hint")),
            FormField::new("follow_up", column_label("follow_up"), "").hint(t("crm.follow_up_hint")),
        ];
        let title = tf("crm.log_title", &[("name", &name)]);
        RecordForm { kind: RecordKind::Contact { customer }, form: Form::new(title, fields).focus_on("summary"), back }
    }

    fn feedback(customer: CustomerId, name: &str, back: Back) -> RecordForm {
        let fields = vec![
            FormField::new("kind", column_label("kind"), FeedbackKind::Complaint.as_str())
                .required()
                .hint(tf("crm.kind_hint", &[("kinds", &FeedbackKind::all().join(", "))])),
            FormField::new("severity", column_label("severity"), Severity::Medium.as_str())
                .required()
                .hint(tf("crm.kind_hint", &[("kinds", &Severity::all().join(", "))])),
            FormField::new("description", column_label("description"), "").required(),
            FormField::new("order_ref", column_label("order_ref"), ""),
            FormField::new("assignee", column_label("assignee"), ""),
        ];
        let title = tf("crm.feedback_title", &[("name", &name)]);
        let form = Form::new(title, fields).focus_on("description");
        RecordForm { kind: RecordKind::Feedback { customer }, form, back }
    }

    fn resolve(item: &Feedback) -> RecordForm {
        let fields = vec![FormField::new("resolution", column_label("resolution"), &item.resolution).required()];
        let title = tf("crm.resolve_title", &[("code", &item.code)]);
        let kind = RecordKind::Resolve { item: Box::new(item.clone()) };
        RecordForm { kind, form: Form::new(title, fields), back: Back::Feedback }
    }
}

impl App {
    /// Rows of follow-ups that fit: the list's capacity.
    fn follow_up_capacity(&self) -> usize {
        crate::tui::view::list_capacity(self.size.1)
    }

    pub(crate) fn show_follow_ups(&mut self) -> Result<()> {
        let capacity = self.follow_up_capacity();
        self.customers.follow_ups.reload(&self.session, capacity)?;
        self.customers.screen = Screen::FollowUps;
        Ok(())
    }

    pub(crate) fn show_feedback(&mut self) -> Result<()> {
        self.customers.feedback.reload(&self.session)?;
        self.customers.screen = Screen::Feedback;
        Ok(())
    }

    pub(crate) fn reload_crm_views(&mut self) -> Result<()> {
        match self.customers.screen {
            Screen::FollowUps => {
                let capacity = self.follow_up_capacity();
                self.customers.follow_ups.reload(&self.session, capacity)
            }
            Screen::Feedback => self.customers.feedback.reload(&self.session),
            _ => Ok(()),
        }
    }

    pub(crate) fn open_contact_form(&mut self, customer: CustomerId, back: Back) -> Result<()> {
        let name = crate::ops::customers::get(&self.session, customer)?.data.name;
        self.customers.screen = Screen::Record(Box::new(RecordForm::contact(customer, &name, back)));
        Ok(())
    }

    pub(crate) fn open_feedback_form(&mut self, customer: CustomerId, back: Back) -> Result<()> {
        let name = crate::ops::customers::get(&self.session, customer)?.data.name;
        self.customers.screen = Screen::Record(Box::new(RecordForm::feedback(customer, &name, back)));
        Ok(())
    }

    /// Opens a customer's detail from a relationship view; Esc comes back to the view.
    fn open_customer_from(&mut self, customer: CustomerId, source: Source) -> Result<()> {
        let customer = crate::ops::customers::get(&self.session, customer)?;
        self.show_detail(customer)?;
        self.customers.detail_source = source;
        Ok(())
    }

    pub(crate) fn follow_ups_action(&mut self, action: Action) -> Result<()> {
        let view = &mut self.customers.follow_ups;
        match action {
            Action::Down => view.down(&self.session)?,
            Action::Up => view.up(&self.session)?,
            Action::Open => {
                if let Some(customer) = view.selected().map(|c| c.customer_id) {
                    self.open_customer_from(customer, Source::FollowUps)?;
                }
            }
            Action::Done => {
                if let Some(contact) = view.selected().cloned() {
                    crm::finish_follow_up(&mut self.session, &contact)?;
                    self.reload_crm_views()?;
                    self.flash = Some(Flash::Info(tf("flash.follow_up_done", &[("name", &contact.customer_name)])));
                }
            }
            Action::LogContact => {
                if let Some(customer) = view.selected().map(|c| c.customer_id) {
                    self.open_contact_form(customer, Back::FollowUps)?;
                }
            }
            Action::ShowFeedback => self.enter_view(Self::show_feedback)?,
            Action::Back => self.leave_view()?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn feedback_action(&mut self, action: Action) -> Result<()> {
        let view = &mut self.customers.feedback;
        let item = view.selected().cloned();
        match action {
            Action::Down | Action::Up => {
                crate::tui::table::move_selection(&mut view.selected, view.rows.len(), action);
            }
            Action::Open => {
                if let Some(item) = item {
                    self.open_customer_from(item.customer_id, Source::Feedback)?;
                }
            }
            Action::StartWork | Action::Close | Action::Reopen => {
                if let Some(item) = item {
                    let to = match action {
                        Action::StartWork => Status::InProgress,
                        Action::Close => Status::Closed,
                        _ => Status::Open,
                    };
                    if item.status == to {
                        let status = crm::status_label(to);
                        self.flash =
                            Some(Flash::Info(tf("flash.feedback_moved", &[("code", &item.code), ("status", &status)])));
                        return Ok(());
                    }
                    let moved = crm::move_feedback(&mut self.session, &item, to, "")?;
                    self.reload_crm_views()?;
                    self.flash = Some(Flash::Info(tf(
                        "flash.feedback_moved",
                        &[("code", &moved.code), ("status", &crm::status_label(moved.status))],
                    )));
                }
            }
            Action::Resolve => {
                if let Some(item) = item {
                    self.customers.screen = Screen::Record(Box::new(RecordForm::resolve(&item)));
                }
            }
            Action::ShowFollowUps => self.enter_view(Self::show_follow_ups)?,
            Action::Back => self.leave_view()?,
            _ => {}
        }
        Ok(())
    }

    /// Saves a record form (contact, feedback, resolution, opportunity, lost reason); field
    /// problems are marked inline and the form stays.
    pub(crate) fn save_record(&mut self) -> Result<()> {
        // Taken off the screen while saving, so the save may use the whole app; it goes
        // back unless the save succeeds.
        let Screen::Record(mut record) = std::mem::replace(&mut self.customers.screen, Screen::List) else {
            return Ok(());
        };
        let saved = self.save_record_kind(&record.kind, &record.form);
        match saved {
            Ok(message) => {
                // The saved form is gone whatever happens next: it can never be saved twice.
                self.flash = Some(Flash::Info(message));
                self.go_back(record.back)
            }
            Err(Error::Invalid(errors)) => {
                record.form.show_errors(errors);
                self.customers.screen = Screen::Record(record);
                self.flash = Some(Flash::Error(t("flash.fix_fields").to_string()));
                Ok(())
            }
            Err(e) => {
                record.form.message = Some(e.to_string());
                self.customers.screen = Screen::Record(record);
                Err(e)
            }
        }
    }

    fn save_record_kind(&mut self, kind: &RecordKind, form: &Form) -> Result<String> {
        match kind {
            RecordKind::Contact { customer } => {
                let input = ContactInput {
                    kind: form.value("kind").to_string(),
                    summary: form.value("summary").to_string(),
                    follow_up: form.value("follow_up").to_string(),
                };
                crm::log_contact(&mut self.session, *customer, &input)
                    .map(|c| tf("flash.contact_logged", &[("code", &c.code)]))
            }
            RecordKind::Feedback { customer } => {
                let input = FeedbackInput {
                    kind: form.value("kind").to_string(),
                    severity: form.value("severity").to_string(),
                    order_ref: form.value("order_ref").to_string(),
                    assignee: form.value("assignee").to_string(),
                    description: form.value("description").to_string(),
                };
                crm::record_feedback(&mut self.session, *customer, &input)
                    .map(|f| tf("flash.feedback_recorded", &[("code", &f.code)]))
            }
            RecordKind::Resolve { item } => {
                crm::move_feedback(&mut self.session, item, Status::Resolved, form.value("resolution")).map(|f| {
                    let status = crm::status_label(f.status);
                    tf("flash.feedback_moved", &[("code", &f.code), ("status", &status)])
                })
            }
            RecordKind::Opportunity { .. } | RecordKind::LostReason { .. } => self.save_deal(kind, form),
            RecordKind::Tier { editing } => self.save_tier(editing.as_deref(), form),
            RecordKind::Stage { .. } => self.save_stage(form),
        }
    }

    /// Back from a record form to where it was opened.
    pub(crate) fn leave_record(&mut self) -> Result<()> {
        let Screen::Record(record) = &self.customers.screen else { return Ok(()) };
        self.go_back(record.back)
    }

    fn go_back(&mut self, back: Back) -> Result<()> {
        match back {
            Back::Detail(id) => {
                let customer = crate::ops::customers::get(&self.session, id)?;
                self.show_detail(customer)
            }
            Back::FollowUps => self.show_follow_ups(),
            Back::Feedback => self.show_feedback(),
            Back::Pipeline => self.show_pipeline(),
            Back::Opportunities => self.show_opportunities(),
            Back::Tiers => self.show_tiers(),
            Back::Stages => self.show_stages(),
        }
    }

    pub(crate) fn load_glance(&mut self, customer: CustomerId) -> Result<()> {
        self.customers.glance = Glance {
            contacts: crm::recent_contacts(&self.session, customer, 5)?,
            feedback: crm::open_feedback_of(&self.session, customer, 5)?,
            deals: crate::ops::pipeline::open_deals_of(&self.session, customer)?,
            orders: crate::ops::orders::customer_orders(&self.session, customer.0, 5)?,
            revenue: crate::ops::orders::customer_revenue(&self.session, customer.0)?,
            balance: crate::ops::payments::balance(&self.session, customer.0)?,
        };
        Ok(())
    }
}
