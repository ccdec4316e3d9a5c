//! Tables of records as every list screen draws them: fixed columns with the rest sharing
//! what is left, cells cut to their column by display width, one highlighted row.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Row, Table, TableState};

use super::action::Action;
use super::theme::Theme;
use crate::domain::text::{display_safe, truncate};

/// Column widths: fixed ones as given, the flexible ones (0) share what is left.
pub fn widths(fixed: &[usize], total: usize) -> Vec<usize> {
    let gaps = fixed.len().saturating_sub(1);
    let used: usize = fixed.iter().sum();
    let flexible = fixed.iter().filter(|w| **w == 0).count().max(1);
    let share = total.saturating_sub(used + gaps) / flexible;
    fixed.iter().map(|w| if *w == 0 { share } else { *w }).collect()
}

/// A table of one-line cells, each made safe and cut to its column's width.
pub fn table<'a>(
    theme: &Theme,
    titles: &[&str],
    rows: Vec<Vec<String>>,
    styles: Vec<Style>,
    widths: &[usize],
) -> Table<'a> {
    let cut = |cells: Vec<String>| -> Vec<String> {
        cells.iter().zip(widths).map(|(c, w)| truncate(&display_safe(c).replace('\n', " "), *w)).collect()
    };
    let header = Row::new(cut(titles.iter().map(|s| s.to_string()).collect())).style(theme.header);
    let styles = styles.into_iter().chain(std::iter::repeat(Style::new()));
    let body: Vec<Row<'a>> = rows.into_iter().zip(styles).map(|(r, s)| Row::new(cut(r)).style(s)).collect();
    let constraints: Vec<Constraint> =
        widths.iter().map(|w| Constraint::Length(u16::try_from(*w).unwrap_or(0))).collect();
    Table::new(body, constraints).header(header).column_spacing(1).row_highlight_style(theme.selected)
}

/// The rows of a long list to hand to the table for an area `height` lines high (a header
/// and the rows): where they start and how many, so row `selected` is on screen where
/// ratatui would scroll it. Returns (first, count); draw with `selected - first`.
pub fn window(selected: usize, height: u16) -> (usize, usize) {
    let visible = usize::from(height.saturating_sub(1)).max(1);
    ((selected + 1).saturating_sub(visible), visible)
}

/// Draws the table with row `selected` highlighted (and scrolled into view).
pub fn draw(frame: &mut Frame<'_>, table: Table<'_>, area: Rect, selected: usize) {
    let mut state = TableState::default().with_selected(Some(selected));
    frame.render_stateful_widget(table, area, &mut state);
}

/// Down and Up within a list of `len` rows held in memory; false for other actions.
pub fn move_selection(selected: &mut usize, len: usize, action: Action) -> bool {
    match action {
        Action::Down => *selected = (*selected + 1).min(len.saturating_sub(1)),
        Action::Up => *selected = selected.saturating_sub(1),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_window_keeps_the_selected_row_on_screen() {
        // 10 lines: a header and 9 rows.
        assert_eq!(window(0, 10), (0, 9));
        assert_eq!(window(8, 10), (0, 9), "the last row that fits without scrolling");
        assert_eq!(window(9, 10), (1, 9), "one further: the selected row on the bottom line");
        assert_eq!(window(95_000, 10), (94_992, 9));
        assert_eq!(window(3, 1), (3, 1), "no room for rows: one at least");
    }
}
