//! The pipeline board and the opportunity list, and what each key does there.

use super::Screen;
use super::crm::{Back, RecordForm, RecordKind};
use crate::db::pipeline::{Filter, Opportunity};
use crate::domain::ids::CustomerId;
use crate::domain::pipeline::{OpportunityInput, Outcome};
use crate::error::{Error, Result};
use crate::i18n::{column_label, t, tf};
use crate::ops::{Session, pipeline};
use crate::tui::action::Action;
use crate::tui::app::{App, Flash};
use crate::tui::form::{Form, FormField};

/// One column per stage, each showing a page of its deals.
#[derive(Debug, Default)]
pub struct PipelineView {
    pub columns: Vec<pipeline::Column>,
    pub focus: usize,
    /// Per column: the highlighted card (index into its page) and the page's offset.
    pub selected: Vec<usize>,
    pub offsets: Vec<usize>,
    pub cards_per_column: usize,
}

impl PipelineView {
    pub fn reload(&mut self, session: &Session) -> Result<()> {
        self.columns = pipeline::board(session, &self.offsets, self.cards_per_column)?;
        // Deals may have left a column another session changed: never show an empty page
        // of a column that has deals.
        let mut clamped = false;
        for (i, column) in self.columns.iter().enumerate() {
            let most = column.totals.count.saturating_sub(self.cards_per_column);
            if let Some(offset) = self.offsets.get_mut(i)
                && *offset > most
            {
                *offset = most;
                clamped = true;
            }
        }
        if clamped {
            self.columns = pipeline::board(session, &self.offsets, self.cards_per_column)?;
        }
        let n = self.columns.len();
        self.selected.resize(n, 0);
        self.offsets.resize(n, 0);
        for (i, column) in self.columns.iter().enumerate() {
            self.selected[i] = self.selected[i].min(column.cards.len().saturating_sub(1));
        }
        self.focus = self.focus.min(n.saturating_sub(1));
        Ok(())
    }

    pub fn selected(&self) -> Option<&Opportunity> {
        let column = self.columns.get(self.focus)?;
        column.cards.get(*self.selected.get(self.focus)?)
    }

    fn step(&mut self, session: &Session, down: bool) -> Result<()> {
        let Some(column) = self.columns.get(self.focus) else { return Ok(()) };
        let (shown, count) = (column.cards.len(), column.totals.count);
        let (selected, offset) = (&mut self.selected[self.focus], &mut self.offsets[self.focus]);
        if down {
            if *selected + 1 < shown {
                *selected += 1;
            } else if *offset + shown < count {
                *offset += 1;
                return self.reload(session);
            }
        } else if *selected > 0 {
            *selected -= 1;
        } else if *offset > 0 {
            *offset -= 1;
            return self.reload(session);
        }
        Ok(())
    }
}

/// The filtered list of opportunities, a page at a time.
#[derive(Debug, Default)]
pub struct OpportunityList {
    pub rows: Vec<Opportunity>,
    pub total: usize,
    pub offset: usize,
    pub selected: usize,
    pub filter_text: String,
    pub filter: Filter,
}

impl OpportunityList {
    pub fn reload(&mut self, session: &Session, capacity: usize) -> Result<()> {
        self.filter = pipeline::parse_filter(&self.filter_text);
        let (rows, total) = pipeline::list(session, &self.filter, self.offset, capacity)?;
        if rows.is_empty() && self.offset > 0 {
            self.offset = total.saturating_sub(capacity);
            return self.reload(session, capacity);
        }
        (self.rows, self.total) = (rows, total);
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        Ok(())
    }

    fn step(&mut self, session: &Session, capacity: usize, down: bool) -> Result<()> {
        if down {
            if self.selected + 1 < self.rows.len() {
                self.selected += 1;
            } else if self.offset + self.rows.len() < self.total {
                self.offset += 1;
                self.reload(session, capacity)?;
            }
        } else if self.selected > 0 {
            self.selected -= 1;
        } else if self.offset > 0 {
            self.offset -= 1;
            self.reload(session, capacity)?;
        }
        Ok(())
    }

    pub fn selected(&self) -> Option<&Opportunity> {
        self.rows.get(self.selected)
    }
}

/// The opportunity form: new for a customer, or editing a deal.
pub fn opportunity_form(customer: CustomerId, name: &str, editing: Option<&Opportunity>, back: Back) -> RecordForm {
    let input = editing
        .map(pipeline::input_of)
        .unwrap_or_else(|| OpportunityInput { stage: "lead".into(), ..Default::default() });
    let field = |column: &'static str, value: &str| FormField::new(column, column_label(column), value);
    let fields = vec![
        FormField::new("title", t("pipeline.deal_title"), &input.title).required(),
        field("stage", &input.stage).required().hint(t("pipeline.stage_hint")),
        field("value", &input.value).hint(t("pipeline.value_hint")),
        field("probability", &input.probability).hint(t("pipeline.probability_hint")),
        field("expected_close", &input.expected_close).hint(t("crm.follow_up_hint")),
        field("owner", &input.owner),
        field("next_step", &input.next_step),
        field("lost_reason", &input.lost_reason).hint(t("pipeline.lost_hint")),
    ];
    let title = match editing {
        Some(o) => tf("pipeline.edit_title", &[("code", &o.code)]),
        None => tf("pipeline.new_title", &[("name", &name)]),
    };
    let kind = RecordKind::Opportunity { customer, editing: editing.cloned().map(Box::new) };
    RecordForm { kind, form: Form::new(title, fields), back }
}

/// Asks why a deal was lost before moving it to a lost stage.
fn lost_reason_form(deal: &Opportunity, stage: String, back: Back) -> RecordForm {
    let fields = vec![FormField::new("lost_reason", column_label("lost_reason"), &deal.lost_reason).required()];
    let title = tf("pipeline.lost_title", &[("code", &deal.code), ("title", &deal.title)]);
    RecordForm {
        kind: RecordKind::LostReason { deal: Box::new(deal.clone()), stage },
        form: Form::new(title, fields),
        back,
    }
}

impl App {
    fn board_cards(&self) -> usize {
        // Two lines a card under four header lines and a "more" line each way.
        usize::from(self.size.1.saturating_sub(2 + 2 + 4 + 2) / 2).max(1)
    }

    pub(crate) fn show_pipeline(&mut self) -> Result<()> {
        self.customers.pipeline.cards_per_column = self.board_cards();
        self.customers.pipeline.reload(&self.session)?;
        self.customers.screen = Screen::Pipeline;
        Ok(())
    }

    pub(crate) fn show_opportunities(&mut self) -> Result<()> {
        let capacity = crate::tui::view::list_capacity(self.size.1);
        self.customers.opportunities.reload(&self.session, capacity)?;
        self.customers.screen = Screen::Opportunities;
        Ok(())
    }

    pub(crate) fn reload_pipeline_views(&mut self) -> Result<()> {
        match self.customers.screen {
            Screen::Pipeline => self.show_pipeline(),
            Screen::Opportunities => self.show_opportunities(),
            _ => Ok(()),
        }
    }

    pub(crate) fn open_opportunity_form(
        &mut self,
        customer: CustomerId,
        editing: Option<&Opportunity>,
        back: Back,
    ) -> Result<()> {
        let name = crate::ops::customers::get(&self.session, customer)?.data.name;
        self.customers.screen = Screen::Record(Box::new(opportunity_form(customer, &name, editing, back)));
        Ok(())
    }

    /// Moves the deal to `stage`; a lost stage first asks why. The board then shows the
    /// deal where it went, so the next key acts on the same deal.
    fn move_deal_to(&mut self, deal: Opportunity, stage: String, back: Back) -> Result<()> {
        let stages = pipeline::stages(&self.session)?;
        let Some(target) = stages.iter().find(|s| s.code == stage).cloned() else { return Ok(()) };
        if target.outcome == Outcome::Lost {
            self.customers.screen = Screen::Record(Box::new(lost_reason_form(&deal, stage, back)));
            return Ok(());
        }
        let moved = pipeline::move_to(&mut self.session, &deal, &stage, "")?;
        self.follow_deal(&moved)?;
        let key = if target.outcome == Outcome::Won { "flash.deal_won" } else { "flash.deal_moved" };
        let args: [(&str, &dyn std::fmt::Display); 3] =
            [("code", &moved.code), ("stage", &target.name), ("value", &moved.value)];
        if target.outcome == Outcome::Won {
            // A won deal is the moment to take the order.
            self.ask(tf(key, &args), crate::tui::overlay::Pending::StartOrder(moved.customer_id));
        } else {
            self.flash = Some(Flash::Info(tf(key, &args)));
        }
        Ok(())
    }

    /// Reloads the views with the deal highlighted in its (new) column.
    pub(crate) fn follow_deal(&mut self, deal: &Opportunity) -> Result<()> {
        let stages = pipeline::stages(&self.session)?;
        if let Some(column) = stages.iter().position(|s| s.code == deal.stage) {
            let position = pipeline::position_in_stage(&self.session, deal)?;
            let view = &mut self.customers.pipeline;
            view.offsets.resize(stages.len(), 0);
            view.selected.resize(stages.len(), 0);
            view.focus = column;
            view.offsets[column] = position.saturating_sub(view.cards_per_column.saturating_sub(1));
            view.selected[column] = position - view.offsets[column];
        }
        self.reload_pipeline_views()
    }

    fn step_deal(&mut self, deal: Opportunity, forward: bool, back: Back) -> Result<()> {
        let stages = pipeline::stages(&self.session)?;
        match pipeline::neighbour(&stages, &deal.stage, forward) {
            Some(stage) => self.move_deal_to(deal, stage, back),
            None => Ok(()),
        }
    }

    fn close_deal(&mut self, deal: Opportunity, outcome: Outcome, back: Back) -> Result<()> {
        let stages = pipeline::stages(&self.session)?;
        match pipeline::stage_for(&stages, outcome) {
            Some(stage) if stage != deal.stage => self.move_deal_to(deal, stage, back),
            _ => Ok(()),
        }
    }

    pub(crate) fn pipeline_action(&mut self, action: Action) -> Result<()> {
        let deal = self.customers.pipeline.selected().cloned();
        let view = &mut self.customers.pipeline;
        match action {
            Action::Down => view.step(&self.session, true)?,
            Action::Up => view.step(&self.session, false)?,
            Action::NextColumn => view.focus = (view.focus + 1).min(view.columns.len().saturating_sub(1)),
            Action::PrevColumn => view.focus = view.focus.saturating_sub(1),
            Action::StageForward | Action::StageBack => {
                if let Some(deal) = deal {
                    self.step_deal(deal, action == Action::StageForward, Back::Pipeline)?;
                }
            }
            Action::Win | Action::Lose => {
                if let Some(deal) = deal {
                    let outcome = if action == Action::Win { Outcome::Won } else { Outcome::Lost };
                    self.close_deal(deal, outcome, Back::Pipeline)?;
                }
            }
            Action::Edit => {
                if let Some(deal) = deal {
                    self.open_opportunity_form(deal.customer_id, Some(&deal), Back::Pipeline)?;
                }
            }
            Action::Open => {
                if let Some(deal) = deal {
                    let customer = crate::ops::customers::get(&self.session, deal.customer_id)?;
                    self.show_detail(customer)?;
                    self.customers.detail_source = super::Source::Pipeline;
                }
            }
            Action::ShowOpportunities => self.enter_view(Self::show_opportunities)?,
            Action::ShowStages => self.enter_view(Self::show_stages)?,
            Action::Back => self.leave_view()?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn opportunities_action(&mut self, action: Action) -> Result<()> {
        let capacity = crate::tui::view::list_capacity(self.size.1);
        let deal = self.customers.opportunities.selected().cloned();
        let list = &mut self.customers.opportunities;
        match action {
            Action::Down => list.step(&self.session, capacity, true)?,
            Action::Up => list.step(&self.session, capacity, false)?,
            Action::Filter => self.customers.filtering = true,
            Action::StageForward | Action::StageBack => {
                if let Some(deal) = deal {
                    self.step_deal(deal, action == Action::StageForward, Back::Opportunities)?;
                }
            }
            Action::Win | Action::Lose => {
                if let Some(deal) = deal {
                    let outcome = if action == Action::Win { Outcome::Won } else { Outcome::Lost };
                    self.close_deal(deal, outcome, Back::Opportunities)?;
                }
            }
            Action::Edit => {
                if let Some(deal) = deal {
                    self.open_opportunity_form(deal.customer_id, Some(&deal), Back::Opportunities)?;
                }
            }
            Action::Open => {
                if let Some(deal) = deal {
                    let customer = crate::ops::customers::get(&self.session, deal.customer_id)?;
                    self.show_detail(customer)?;
                    self.customers.detail_source = super::Source::Opportunities;
                }
            }
            Action::ShowPipeline => self.enter_view(Self::show_pipeline)?,
            Action::Back if !list.filter_text.is_empty() => {
                list.filter_text.clear();
                self.customers.opportunity_filter.reset();
                list.offset = 0;
                list.reload(&self.session, capacity)?;
            }
            Action::Back => self.leave_view()?,
            _ => {}
        }
        Ok(())
    }

    /// The opportunity list's filter line changed.
    pub(crate) fn refilter_opportunities(&mut self) -> Result<()> {
        let capacity = crate::tui::view::list_capacity(self.size.1);
        let list = &mut self.customers.opportunities;
        list.filter_text = self.customers.opportunity_filter.value().to_string();
        (list.offset, list.selected) = (0, 0);
        list.reload(&self.session, capacity)
    }

    /// Saves an opportunity or lost-reason form; returns the flash message.
    pub(crate) fn save_deal(&mut self, kind: &RecordKind, form: &Form) -> Result<String> {
        let input = |stage: &str| OpportunityInput {
            title: form.value("title").to_string(),
            stage: stage.to_string(),
            value: form.value("value").to_string(),
            probability: form.value("probability").to_string(),
            expected_close: form.value("expected_close").to_string(),
            owner: form.value("owner").to_string(),
            next_step: form.value("next_step").to_string(),
            lost_reason: form.value("lost_reason").to_string(),
        };
        match kind {
            RecordKind::Opportunity { customer, editing: None } => {
                pipeline::create(&mut self.session, *customer, &input(form.value("stage")))
                    .map(|o| tf("flash.deal_saved", &[("code", &o.code)]))
            }
            RecordKind::Opportunity { editing: Some(deal), .. } => {
                pipeline::update(&mut self.session, deal, &input(form.value("stage")))
                    .map(|o| tf("flash.deal_saved", &[("code", &o.code)]))
            }
            RecordKind::LostReason { deal, stage } => {
                let moved = pipeline::move_to(&mut self.session, deal, stage, form.value("lost_reason"))?;
                self.follow_deal(&moved)?;
                Ok(tf("flash.deal_moved", &[("code", &moved.code), ("stage", &moved.stage), ("value", &moved.value)]))
            }
            _ => Err(Error::BadArgument(String::new())),
        }
    }
}
