//! The Customers tab: a list, a detail view and a form, and what each key does there.

pub mod crm;
pub mod crm_view;
pub mod form;
pub mod list;
pub mod pipeline;
pub mod pipeline_view;
pub mod stages;
pub mod tiers;
pub mod view;

use tui_input::Input;

use crate::db::audit::AuditEntry;
use crate::domain::customer::Customer;
use form::CustomerForm;
use list::CustomerList;

/// Which of the tab's screens is showing.
#[derive(Debug)]
pub enum Screen {
    List,
    Detail(Box<Customer>),
    Form(Box<CustomerForm>),
    /// Logging a contact, recording feedback, or resolving a complaint.
    Record(Box<crm::RecordForm>),
    FollowUps,
    Feedback,
    Pipeline,
    Opportunities,
    Tiers,
    Stages,
    TierSuggestions,
}

/// Where Esc on a relationship view returns to: the screen it was opened from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewBack {
    List,
    Detail(crate::domain::ids::CustomerId),
    FollowUps,
    Feedback,
    Pipeline,
    Opportunities,
}

/// The view a customer's detail was opened from; Esc goes back there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Source {
    #[default]
    List,
    FollowUps,
    Feedback,
    Pipeline,
    Opportunities,
}

impl Screen {
    /// The form on screen, if any, whatever record it edits.
    pub fn form(&self) -> Option<&crate::tui::form::Form> {
        match self {
            Screen::Form(f) => Some(&f.form),
            Screen::Record(r) => Some(&r.form),
            _ => None,
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut crate::tui::form::Form> {
        match self {
            Screen::Form(f) => Some(&mut f.form),
            Screen::Record(r) => Some(&mut r.form),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct CustomersTab {
    pub screen: Screen,
    pub list: CustomerList,
    /// True while typing into the filter line.
    pub filtering: bool,
    pub filter_input: Input,
    /// Recent audit entries of the customer in the detail view.
    pub history: Vec<AuditEntry>,
    /// Recent contacts and open feedback of the customer in the detail view.
    pub glance: crm::Glance,
    pub detail_source: Source,
    pub follow_ups: crm::FollowUpsView,
    pub feedback: crm::FeedbackView,
    pub pipeline: pipeline::PipelineView,
    pub opportunities: pipeline::OpportunityList,
    /// The opportunity list's filter line.
    pub opportunity_filter: Input,
    pub tiers: tiers::TiersView,
    pub stages: stages::StagesView,
    /// Screens to return to from views opened one from another (newest last, a few deep).
    pub view_back: Vec<ViewBack>,
}

impl CustomersTab {
    pub fn new() -> CustomersTab {
        CustomersTab {
            screen: Screen::List,
            list: CustomerList::new(list::CustomerSource::default()),
            filtering: false,
            filter_input: Input::default(),
            history: Vec::new(),
            glance: crm::Glance::default(),
            detail_source: Source::List,
            follow_ups: crm::FollowUpsView::default(),
            feedback: crm::FeedbackView::default(),
            pipeline: pipeline::PipelineView::default(),
            opportunities: pipeline::OpportunityList::default(),
            opportunity_filter: Input::default(),
            tiers: tiers::TiersView::default(),
            stages: stages::StagesView::default(),
            view_back: Vec::new(),
        }
    }
}

impl Default for CustomersTab {
    fn default() -> Self {
        Self::new()
    }
}
