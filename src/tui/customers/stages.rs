//! The pipeline's stages: rename, re-rank, add (a manager's setting), from the board.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Block;

use super::Screen;
use super::crm::{Back, RecordForm, RecordKind};
use crate::domain::pipeline::{Stage, StageInput};
use crate::error::Result;
use crate::i18n::{column_label, t, tf};
use crate::ops::pipeline;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::form::{Form, FormField};
use crate::tui::table;

#[derive(Debug, Default)]
pub struct StagesView {
    pub stages: Vec<Stage>,
    pub selected: usize,
}

pub fn stage_form(editing: Option<&Stage>) -> RecordForm {
    let input = editing
        .map(pipeline::stage_input_of)
        .unwrap_or_else(|| StageInput { outcome: "open".into(), ..Default::default() });
    let field = |column: &'static str, value: &str| FormField::new(column, column_label(column), value);
    let code = match editing {
        Some(_) => field("code", &input.code).read_only().hint(t("stages.code_fixed")),
        None => field("code", &input.code).required(),
    };
    let fields = vec![
        code,
        field("name", &input.name).required(),
        field("rank", &input.rank).required().hint(t("stages.rank_hint")),
        field("probability", &input.probability).required().hint(t("pipeline.probability_hint")),
        field("outcome", &input.outcome).required().hint(t("stages.outcome_hint")),
    ];
    let title = match editing {
        Some(stage) => tf("stages.edit_title", &[("code", &stage.code)]),
        None => t("stages.new_title").to_string(),
    };
    let form = Form::new(title, fields).focus_on(if editing.is_some() { "name" } else { "code" });
    RecordForm { kind: RecordKind::Stage { editing: editing.is_some() }, form, back: Back::Stages }
}

impl App {
    pub(crate) fn show_stages(&mut self) -> Result<()> {
        let view = &mut self.customers.stages;
        view.stages = pipeline::stages(&self.session)?;
        view.selected = view.selected.min(view.stages.len().saturating_sub(1));
        self.customers.screen = Screen::Stages;
        Ok(())
    }

    pub(crate) fn stages_action(&mut self, action: Action) -> Result<()> {
        let view = &mut self.customers.stages;
        if table::move_selection(&mut view.selected, view.stages.len(), action) {
            return Ok(());
        }
        match action {
            Action::Edit | Action::Open => {
                if let Some(stage) = view.stages.get(view.selected).cloned() {
                    self.customers.screen = Screen::Record(Box::new(stage_form(Some(&stage))));
                }
            }
            Action::New => self.customers.screen = Screen::Record(Box::new(stage_form(None))),
            Action::Back => self.leave_view()?,
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn save_stage(&mut self, form: &Form) -> Result<String> {
        let input = StageInput {
            code: form.value("code").to_string(),
            name: form.value("name").to_string(),
            rank: form.value("rank").to_string(),
            probability: form.value("probability").to_string(),
            outcome: form.value("outcome").to_string(),
        };
        let stage = pipeline::save_stage(&mut self.session, &input)?;
        Ok(tf("flash.stage_saved", &[("name", &stage.name)]))
    }
}

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let view = &app.customers.stages;
    let block = Block::bordered().title(Span::styled(format!(" {} ", t("stages.title")), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let widths = [6usize, 14, 20, 12, 10];
    let titles = [
        column_label("rank"),
        column_label("code"),
        column_label("name"),
        column_label("probability"),
        column_label("outcome"),
    ];
    let rows: Vec<Vec<String>> = view
        .stages
        .iter()
        .map(|s| {
            vec![
                s.rank.to_string(),
                s.code.clone(),
                s.name.clone(),
                format!("{} %", s.probability),
                s.outcome.as_str().to_string(),
            ]
        })
        .collect();
    table::draw(frame, table::table(theme, &titles, rows, Vec::new(), &widths), inner, view.selected);
}
