//! A form of labelled one-line fields: focus, inline errors, a dirty check for the
//! unsaved-changes guard, and its drawing. Each record's form builds one of these.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use tui_input::Input;

use super::theme::Theme;
use crate::domain::fields::FieldError;
use crate::domain::text::{display_safe, skip_columns, truncate, width};
use crate::error::describe_problem;
use crate::i18n::t;

#[derive(Debug)]
pub struct FormField {
    /// The column the value belongs to (as in CSV files); errors name it.
    pub column: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Shown under the form while the field has focus.
    pub hint: Option<String>,
    pub input: Input,
    /// Shown but not typed into (a key others refer to).
    pub read_only: bool,
}

impl FormField {
    pub fn new(column: &'static str, label: &'static str, value: &str) -> FormField {
        FormField { column, label, required: false, hint: None, input: Input::new(value.to_string()), read_only: false }
    }

    pub fn required(mut self) -> FormField {
        self.required = true;
        self
    }

    pub fn read_only(mut self) -> FormField {
        self.read_only = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> FormField {
        self.hint = Some(hint.into());
        self
    }
}

#[derive(Debug)]
pub struct Form {
    pub title: String,
    pub fields: Vec<FormField>,
    pub focus: usize,
    pub errors: Vec<FieldError>,
    /// A problem with the whole form (someone else saved first, the file is busy).
    pub message: Option<String>,
    original: Vec<String>,
}

impl Form {
    pub fn new(title: String, fields: Vec<FormField>) -> Form {
        let original = fields.iter().map(|f| f.input.value().to_string()).collect();
        Form { title, fields, focus: 0, errors: Vec::new(), message: None, original }
    }

    pub fn focus_on(mut self, column: &str) -> Form {
        self.focus = self.fields.iter().position(|f| f.column == column).unwrap_or(0);
        self
    }

    /// The typed value of a column ("" if the form has no such field).
    pub fn value(&self, column: &str) -> &str {
        self.fields.iter().find(|f| f.column == column).map(|f| f.input.value()).unwrap_or("")
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().zip(&self.original).any(|(f, o)| f.input.value() != o)
    }

    /// The focused field's input, unless that field is read-only.
    pub fn focused_input(&mut self) -> Option<&mut Input> {
        self.fields.get_mut(self.focus).filter(|f| !f.read_only).map(|f| &mut f.input)
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev_field(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }

    pub fn error_for(&self, column: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == column)
    }

    /// Marks the fields a save refused and moves to the first of them.
    pub fn show_errors(&mut self, errors: Vec<FieldError>) {
        if let Some(first) = errors.first()
            && let Some(index) = self.fields.iter().position(|f| f.column == first.field)
        {
            self.focus = index;
        }
        self.message = None;
        self.errors = errors;
    }
}

/// Draws the form: a label, the field and any error on each line, then the message, the
/// focused field's error or hint, and the keys.
pub fn draw(frame: &mut Frame<'_>, theme: &Theme, area: Rect, form: &Form) {
    let block =
        Block::bordered().title(Span::styled(format!(" {} ", truncate(&display_safe(&form.title), 60)), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // Wide enough for the longest label (within reason), so labels are not cut.
    let label_width = form.fields.iter().map(|f| width(f.label) + 2).max().unwrap_or(14).clamp(14, 20);
    let total = usize::from(inner.width);
    let input_width = (total.saturating_sub(label_width + 2) * 3 / 5).clamp(10, 50);
    let error_width = total.saturating_sub(label_width + input_width + 3);
    // Keep two lines for the hint and keys; a form taller than the rest scrolls to its focus.
    let room = usize::from(inner.height.saturating_sub(2)).max(1);
    let first = form.focus.saturating_sub(room - 1);
    let field_rows = u16::try_from(form.fields.len().min(room)).unwrap_or(u16::MAX);
    let [fields_area, footer_area] =
        Layout::vertical([Constraint::Length(field_rows), Constraint::Min(0)]).areas(inner);

    for (index, field) in form.fields.iter().enumerate().skip(first) {
        let y = fields_area.y + u16::try_from(index - first).unwrap_or(0);
        if y >= fields_area.y + fields_area.height {
            break;
        }
        let row = Rect { x: fields_area.x, y, width: fields_area.width, height: 1 };
        let focused = index == form.focus;
        let marker = if field.required { Span::styled("*", theme.required) } else { Span::raw(" ") };
        let label = truncate(field.label, label_width - 1);
        let pad = label_width.saturating_sub(width(&label) + 1);
        // Only the field being typed in scrolls to its cursor; the others show their start.
        let scroll = if focused { field.input.visual_scroll(input_width) } else { 0 };
        let shown = truncate(&display_safe(skip_columns(field.input.value(), scroll)), input_width);
        let fill = input_width.saturating_sub(width(&shown));
        let input_style = if field.read_only {
            theme.dim
        } else if focused {
            theme.focus
        } else {
            theme.dim.patch(Style::new().add_modifier(Modifier::UNDERLINED))
        };
        let mut spans = vec![
            marker,
            Span::styled(format!("{label}{} ", " ".repeat(pad)), if focused { theme.key } else { Style::new() }),
            Span::styled(format!("{shown}{}", " ".repeat(fill)), input_style),
        ];
        if let Some(error) = form.error_for(field.column) {
            spans.push(Span::styled(
                format!(" {}", truncate(&describe_problem(&error.problem), error_width)),
                theme.error,
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), row);
        if focused {
            let cursor = field.input.visual_cursor().saturating_sub(scroll);
            let x = row.x + u16::try_from(label_width + 1 + cursor).unwrap_or(0);
            frame.set_cursor_position((x.min(row.x + row.width.saturating_sub(1)), y));
        }
    }

    let mut footer = Vec::new();
    if let Some(message) = &form.message {
        footer.push(Line::styled(display_safe(message).into_owned(), theme.error));
    }
    if let Some(field) = form.fields.get(form.focus) {
        if let Some(error) = form.error_for(field.column) {
            footer.push(Line::styled(format!("{}: {}", field.label, describe_problem(&error.problem)), theme.error));
        } else if let Some(hint) = &field.hint {
            footer.push(Line::styled(hint.clone(), theme.dim));
        }
    }
    footer.push(Line::styled(t("form.keys_hint"), theme.dim));
    frame.render_widget(Paragraph::new(footer).wrap(Wrap { trim: true }), footer_area);
}

/// One labelled input on one line, as the scan screens lay them out: the label, then the
/// value cut to the room there is (scrolled to the cursor while focused), and the cursor.
/// An empty input shows `placeholder` dimmed.
pub fn draw_input_line(
    frame: &mut Frame<'_>,
    theme: &Theme,
    area: Rect,
    label: &str,
    input: &Input,
    focused: bool,
    placeholder: &str,
) {
    draw_labelled_input(frame, theme, area, label, 12, input, focused, placeholder);
}

/// `draw_input_line` with a label column of `label_width` (0: the label's own width), for
/// several short inputs side by side on one line.
#[allow(clippy::too_many_arguments)]
pub fn draw_labelled_input(
    frame: &mut Frame<'_>,
    theme: &Theme,
    area: Rect,
    label: &str,
    label_width: usize,
    input: &Input,
    focused: bool,
    placeholder: &str,
) {
    let label_width = if label_width == 0 { width(label) } else { label_width };
    let input_width = usize::from(area.width).saturating_sub(label_width + 2).max(4);
    let scroll = if focused { input.visual_scroll(input_width) } else { 0 };
    let mut shown = truncate(&display_safe(skip_columns(input.value(), scroll)), input_width);
    let placeholding = shown.is_empty() && !placeholder.is_empty();
    if placeholding {
        shown = placeholder.to_string();
    }
    let fill = input_width.saturating_sub(width(&shown));
    let label = truncate(label, label_width);
    let pad = label_width.saturating_sub(width(&label));
    let style = match (focused, placeholding) {
        (true, true) => theme.focus.patch(theme.dim),
        (true, false) => theme.focus,
        _ => theme.dim,
    };
    let line = Line::from(vec![
        Span::styled(format!("{label}{} ", " ".repeat(pad)), if focused { theme.key } else { Style::new() }),
        Span::styled(format!("{shown}{}", " ".repeat(fill)), style),
    ]);
    let row = Rect { height: 1, ..area };
    frame.render_widget(Paragraph::new(line), row);
    if focused {
        let cursor = input.visual_cursor().saturating_sub(scroll);
        let x = row.x + u16::try_from(label_width + 1 + cursor).unwrap_or(0);
        frame.set_cursor_position((x.min(row.x + row.width.saturating_sub(1)), row.y));
    }
}

/// A list's filter line: `/ ` and what is typed (scrolled to the cursor, the cursor shown
/// while typing), or a dim hint when there is no filter.
pub fn draw_filter_line(frame: &mut Frame<'_>, theme: &Theme, area: Rect, input: &Input, typing: bool, hint: &str) {
    let text = input.value();
    let line = if typing || !text.is_empty() {
        let max = usize::from(area.width).saturating_sub(4);
        let scroll = input.visual_scroll(max);
        if typing {
            let cursor = input.visual_cursor().saturating_sub(scroll);
            frame.set_cursor_position((area.x + 2 + u16::try_from(cursor).unwrap_or(0), area.y));
        }
        let shown = display_safe(skip_columns(text, scroll)).into_owned();
        Line::from(vec![Span::styled("/ ", theme.key), Span::raw(shown)])
    } else {
        Line::styled(hint.to_string(), theme.dim)
    };
    frame.render_widget(Paragraph::new(line), area);
}
