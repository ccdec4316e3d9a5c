//! Line charts over time for terminals with room for them (the tables with bars stay the
//! view at 80x24). Plotted in braille dots; figures are converted to floating point only
//! to place dots on screen, never to compute money.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Room a chart needs to say more than the table beside it does.
pub fn fits(area: Rect) -> bool {
    area.width >= 100 && area.height >= 30
}

/// One line of a chart: a value per point along the time axis (none: no dot there).
pub struct Series {
    pub name: String,
    pub values: Vec<Option<Decimal>>,
    pub style: Style,
}

/// Draws `series` against `labels` (one per point; the first, middle and last are shown).
pub fn draw(frame: &mut Frame<'_>, area: Rect, axis_style: Style, series: &[Series], labels: &[String]) {
    let points = |s: &Series| -> Vec<(f64, f64)> {
        s.values.iter().enumerate().filter_map(|(x, v)| Some((x as f64, v.as_ref()?.to_f64()?))).collect()
    };
    let data: Vec<Vec<(f64, f64)>> = series.iter().map(points).collect();
    let max = series.iter().flat_map(|s| s.values.iter().flatten()).max().copied().unwrap_or_default();
    let top = max.max(Decimal::ONE);
    let datasets: Vec<Dataset<'_>> = series
        .iter()
        .zip(&data)
        .map(|(s, d)| {
            Dataset::default()
                .name(s.name.clone())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(s.style)
                .data(d)
        })
        .collect();
    let last = labels.len().saturating_sub(1);
    let x_labels: Vec<Line<'_>> =
        [0, last / 2, last].iter().filter_map(|i| labels.get(*i)).map(|l| Line::from(l.clone())).collect();
    let money = |d: Decimal| crate::i18n::format::number(&d.round_dp(0).normalize().to_string());
    let y_labels = vec![Line::from("0"), Line::from(money(top / Decimal::TWO)), Line::from(money(top))];
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().style(axis_style).bounds([0.0, last.max(1) as f64]).labels(x_labels))
        .y_axis(Axis::default().style(axis_style).bounds([0.0, top.to_f64().unwrap_or(1.0)]).labels(y_labels))
        .legend_position(None);
    // The legend on its own line: drawn over the plot it would hide the dots beneath it.
    let [plot, legend] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(chart, plot);
    let spans: Vec<Span<'_>> =
        series.iter().flat_map(|s| [Span::styled(format!("⠤⠤ {}", s.name), s.style), Span::raw("   ")]).collect();
    frame.render_widget(Line::from(spans), legend);
}
