//! The tiers screen: the shop's segments with their terms, and their form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Block;

use super::Screen;
use super::crm::{Back, RecordForm, RecordKind};
use crate::domain::tier::{Tier, TierInput};
use crate::error::Result;
use crate::i18n::{column_label, t, tf};
use crate::ops::tiers;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::form::{Form, FormField};
use crate::tui::table;

#[derive(Debug, Default)]
pub struct TiersView {
    pub tiers: Vec<Tier>,
    /// Active customers per tier code.
    pub counts: Vec<(String, usize)>,
    pub selected: usize,
    pub suggestions: SuggestionsView,
}

/// The customers whose tier their buying points elsewhere, and which of them to move.
#[derive(Debug, Default)]
pub struct SuggestionsView {
    pub rows: Vec<crate::ops::rfm::Suggestion>,
    pub chosen: Vec<bool>,
    pub selected: usize,
    /// The period scored, in months back from today.
    pub months: u32,
}

/// Periods the suggestions can look back over, chosen with + and -.
pub const PERIODS: &[u32] = &[3, 6, 12, 24, 36];

pub fn tier_form(editing: Option<&Tier>) -> RecordForm {
    let input = editing.map(tiers::input_of).unwrap_or_default();
    let field = |column: &'static str, value: &str| FormField::new(column, column_label(column), value);
    let code = match editing {
        Some(_) => field("code", &input.code).read_only().hint(t("tiers.code_fixed")),
        None => field("code", &input.code).required().hint(t("tiers.code_hint")),
    };
    let fields = vec![
        code,
        field("name", &input.name).required(),
        field("rank", &input.rank).hint(t("tiers.rank_hint")),
        field("discount", &input.discount).hint(t("tiers.discount_hint")),
        field("credit_limit", &input.credit_limit).hint(t("tiers.credit_hint")),
        field("payment_days", &input.payment_days).hint(t("tiers.days_hint")),
    ];
    let title = match editing {
        Some(tier) => tf("tiers.edit_title", &[("code", &tier.data.code)]),
        None => t("tiers.new_title").to_string(),
    };
    let form = Form::new(title, fields).focus_on(if editing.is_some() { "name" } else { "code" });
    RecordForm { kind: RecordKind::Tier { editing: editing.cloned().map(Box::new) }, form, back: Back::Tiers }
}

impl App {
    pub(crate) fn show_tiers(&mut self) -> Result<()> {
        let view = &mut self.customers.tiers;
        view.tiers = tiers::all(&self.session)?;
        view.counts = tiers::customer_counts(&self.session)?;
        view.selected = view.selected.min(view.tiers.len().saturating_sub(1));
        self.customers.screen = Screen::Tiers;
        Ok(())
    }

    pub(crate) fn tiers_action(&mut self, action: Action) -> Result<()> {
        let view = &mut self.customers.tiers;
        if table::move_selection(&mut view.selected, view.tiers.len(), action) {
            return Ok(());
        }
        match action {
            Action::Edit | Action::Open => {
                if let Some(tier) = view.tiers.get(view.selected).cloned() {
                    self.customers.screen = Screen::Record(Box::new(tier_form(Some(&tier))));
                }
            }
            Action::New => self.customers.screen = Screen::Record(Box::new(tier_form(None))),
            Action::SuggestTiers => self.show_suggestions()?,
            Action::Back => self.leave_view()?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn show_suggestions(&mut self) -> Result<()> {
        let view = &mut self.customers.tiers.suggestions;
        if view.months == 0 {
            view.months = 12;
        }
        view.rows = crate::ops::rfm::suggestions(&self.session, view.months)?;
        // Everything is chosen to start with: "apply all" is one key, "none" is Esc.
        view.chosen = vec![true; view.rows.len()];
        view.selected = view.selected.min(view.rows.len().saturating_sub(1));
        self.customers.screen = Screen::TierSuggestions;
        Ok(())
    }

    pub(crate) fn suggestions_action(&mut self, action: Action) -> Result<()> {
        let view = &mut self.customers.tiers.suggestions;
        let len = view.rows.len();
        if table::move_selection(&mut view.selected, len, action) {
            return Ok(());
        }
        match action {
            Action::PageDown => view.selected = (view.selected + 10).min(len.saturating_sub(1)),
            Action::PageUp => view.selected = view.selected.saturating_sub(10),
            Action::ToggleChoice => {
                if let Some(chosen) = view.chosen.get_mut(view.selected) {
                    *chosen = !*chosen;
                }
                view.selected = (view.selected + 1).min(len.saturating_sub(1));
            }
            Action::ChooseAll => {
                let all = !view.chosen.iter().all(|c| *c);
                view.chosen.iter_mut().for_each(|c| *c = all);
            }
            Action::Wider | Action::Narrower => {
                let at = PERIODS.iter().position(|m| *m == view.months).unwrap_or(2);
                let next = if action == Action::Wider { (at + 1).min(PERIODS.len() - 1) } else { at.saturating_sub(1) };
                view.months = PERIODS[next];
                self.show_suggestions()?;
            }
            Action::ApplyChoices => {
                let count = view.chosen.iter().filter(|c| **c).count();
                if count > 0 {
                    self.ask(tf("tiers.apply_confirm", &[("count", &count)]), crate::tui::overlay::Pending::ApplyTiers);
                }
            }
            Action::Back => self.show_tiers()?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn apply_suggestions(&mut self) -> Result<()> {
        let view = &self.customers.tiers.suggestions;
        let chosen: Vec<crate::ops::rfm::Suggestion> =
            view.rows.iter().zip(&view.chosen).filter(|(_, c)| **c).map(|(s, _)| s.clone()).collect();
        let moved = crate::ops::rfm::apply(&mut self.session, &chosen)?;
        self.show_suggestions()?;
        self.flash = Some(crate::tui::app::Flash::Info(tf("tiers.applied", &[("count", &moved)])));
        Ok(())
    }

    pub(crate) fn save_tier(&mut self, editing: Option<&Tier>, form: &Form) -> Result<String> {
        let input = TierInput {
            code: form.value("code").to_string(),
            name: form.value("name").to_string(),
            rank: form.value("rank").to_string(),
            discount: form.value("discount").to_string(),
            credit_limit: form.value("credit_limit").to_string(),
            payment_days: form.value("payment_days").to_string(),
        };
        let tier = tiers::save(&mut self.session, editing, &input)?;
        Ok(tf("flash.tier_saved", &[("code", &tier.data.code)]))
    }
}

/// The suggestions: who, their tier now and the suggested one, and the figures behind it.
pub fn draw_suggestions(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let view = &app.customers.tiers.suggestions;
    let chosen = view.chosen.iter().filter(|c| **c).count();
    let title =
        tf("tiers.suggest_title", &[("months", &view.months), ("count", &view.rows.len()), ("chosen", &chosen)]);
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [table_area, keys_area] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Min(1),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(inner);
    if view.rows.is_empty() {
        let text = ratatui::text::Line::styled(t("tiers.no_suggestions"), theme.dim);
        frame.render_widget(ratatui::widgets::Paragraph::new(text), table_area);
    } else {
        let total = usize::from(table_area.width);
        let titles = [
            "",
            column_label("code"),
            column_label("name"),
            t("tiers.change"),
            t("tiers.last_order"),
            t("tiers.orders"),
            t("tiers.revenue"),
            "R F M",
        ];
        let widths = table::widths(&[1, 8, 0, 9, 8, 6, 11, 7], total);
        let rows = view
            .rows
            .iter()
            .zip(&view.chosen)
            .map(|(s, chosen)| {
                let current = if s.current.is_empty() { "-" } else { s.current.as_str() };
                vec![
                    if *chosen { "✓".to_string() } else { " ".to_string() },
                    s.code.clone(),
                    s.name.clone(),
                    format!("{current} → {}", s.suggested),
                    tf("tiers.days_ago", &[("days", &s.days_since)]),
                    s.orders.to_string(),
                    s.revenue.to_string(),
                    format!("{} {} {}", s.score.recency, s.score.frequency, s.score.monetary),
                ]
            })
            .collect();
        table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), table_area, view.selected);
    }
    let keys = ratatui::text::Line::styled(t("tiers.suggest_keys"), theme.dim);
    frame.render_widget(ratatui::widgets::Paragraph::new(keys), keys_area);
}

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let view = &app.customers.tiers;
    let block = Block::bordered().title(Span::styled(format!(" {} ", t("tiers.title")), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let widths = [6usize, 10, 20, 10, 14, 8, 10];
    let titles = [
        column_label("rank"),
        column_label("code"),
        column_label("name"),
        column_label("discount"),
        column_label("credit_limit"),
        column_label("payment_days"),
        t("tiers.customers"),
    ];
    let rows: Vec<Vec<String>> = view
        .tiers
        .iter()
        .map(|tier| {
            let d = &tier.data;
            let customers =
                view.counts.iter().find(|(c, _)| c.eq_ignore_ascii_case(&d.code)).map(|(_, n)| *n).unwrap_or(0);
            let limit =
                if d.credit_limit.is_zero() { t("tiers.no_limit").to_string() } else { d.credit_limit.to_string() };
            vec![
                d.rank.to_string(),
                d.code.clone(),
                d.name.clone(),
                format!("{} %", d.discount),
                limit,
                d.payment_days.to_string(),
                customers.to_string(),
            ]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), inner, view.selected);
}
