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
}

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
            Action::Back => self.leave_view()?,
            _ => {}
        }
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
