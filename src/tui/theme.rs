//! Every style in one place. `NO_COLOR` (or `theme = "mono"`) keeps only bold, reverse
//! and underline, so the interface stays usable without colour.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub tab_active: Style,
    pub tab: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub archived: Style,
    pub dim: Style,
    pub error: Style,
    pub ok: Style,
    pub key: Style,
    pub status: Style,
    pub focus: Style,
    pub required: Style,
    /// Needs attention soon: low stock, lots about to expire.
    pub warning: Style,
}

impl Theme {
    pub fn colour() -> Theme {
        Theme {
            tab_active: Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
            tab: Style::new().fg(Color::Gray),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            header: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Blue).fg(Color::White).add_modifier(Modifier::BOLD),
            archived: Style::new().fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            dim: Style::new().fg(Color::DarkGray),
            error: Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::LightGreen),
            key: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            status: Style::new().bg(Color::DarkGray).fg(Color::White),
            focus: Style::new().fg(Color::White).bg(Color::Rgb(40, 40, 90)),
            required: Style::new().fg(Color::LightRed),
            warning: Style::new().fg(Color::LightYellow),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::new();
        Theme {
            tab_active: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            tab: plain,
            title: plain.add_modifier(Modifier::BOLD),
            header: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selected: plain.add_modifier(Modifier::REVERSED),
            archived: plain.add_modifier(Modifier::DIM),
            dim: plain.add_modifier(Modifier::DIM),
            error: plain.add_modifier(Modifier::BOLD),
            ok: plain,
            key: plain.add_modifier(Modifier::BOLD),
            status: plain.add_modifier(Modifier::REVERSED),
            focus: plain.add_modifier(Modifier::UNDERLINED),
            required: plain.add_modifier(Modifier::BOLD),
            warning: plain.add_modifier(Modifier::BOLD),
        }
    }

    /// Colour unless `NO_COLOR` is set (to anything non-empty) or the config asks for mono.
    pub fn choose(config_theme: Option<&str>) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color || config_theme == Some("mono") { Theme::mono() } else { Theme::colour() }
    }
}
