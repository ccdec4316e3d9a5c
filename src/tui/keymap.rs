//! Key bindings: the compiled-in defaults (`keymap.toml`) with the user's overrides merged
//! over them. Help and the palette read the effective map, so they never disagree with it.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use strum::{Display, EnumIter, EnumString};

use super::action::Action;
use crate::error::{Error, Result};
use crate::i18n::tf;

/// A screen with its own bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Display, EnumString, EnumIter)]
#[strum(serialize_all = "kebab-case")]
pub enum Context {
    Global,
    List,
    Filter,
    Detail,
    Form,
    Help,
    Palette,
    Confirm,
    FollowUps,
    Feedback,
    Pipeline,
    Opportunities,
    Tiers,
    Stages,
    Products,
    Product,
    Receive,
    LowStock,
    Expiring,
    Plan,
    Orders,
    Order,
    SlowMovers,
    Count,
    Transfers,
    Suppliers,
    Warehouses,
    SalesOrders,
    SalesOrder,
    OrderEntry,
    DeliveryNote,
    TierSuggestions,
    Invoices,
    Invoice,
    Finance,
    Dashboard,
    Sales,
    Forecast,
    Targets,
    /// The import screen choosing its file (a typed path).
    ImportFile,
    /// The import screen choosing a column's field (a typed search).
    ImportField,
    Import,
}

impl Context {
    /// Screens where printable keys are text, not commands.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Filter
                | Context::Form
                | Context::Palette
                | Context::Receive
                | Context::Count
                | Context::OrderEntry
                | Context::ImportFile
                | Context::ImportField
        )
    }

    pub fn describe(self) -> &'static str {
        use crate::i18n::t;
        match self {
            Context::Global => t("context.global"),
            Context::List => t("context.list"),
            Context::Filter => t("context.filter"),
            Context::Detail => t("context.detail"),
            Context::Form => t("context.form"),
            Context::Help => t("context.help"),
            Context::Palette => t("context.palette"),
            Context::Confirm => t("context.confirm"),
            Context::FollowUps => t("context.follow-ups"),
            Context::Feedback => t("context.feedback"),
            Context::Pipeline => t("context.pipeline"),
            Context::Opportunities => t("context.opportunities"),
            Context::Tiers => t("context.tiers"),
            Context::Stages => t("context.stages"),
            Context::Products => t("context.products"),
            Context::Product => t("context.product"),
            Context::Receive => t("context.receive"),
            Context::LowStock => t("context.low-stock"),
            Context::Expiring => t("context.expiring"),
            Context::Plan => t("context.plan"),
            Context::Orders => t("context.orders"),
            Context::Order => t("context.order"),
            Context::SlowMovers => t("context.slow-movers"),
            Context::Count => t("context.count"),
            Context::Transfers => t("context.transfers"),
            Context::Suppliers => t("context.suppliers"),
            Context::Warehouses => t("context.warehouses"),
            Context::SalesOrders => t("context.sales-orders"),
            Context::SalesOrder => t("context.sales-order"),
            Context::OrderEntry => t("context.order-entry"),
            Context::DeliveryNote => t("context.delivery-note"),
            Context::TierSuggestions => t("context.tier-suggestions"),
            Context::Invoices => t("context.invoices"),
            Context::Invoice => t("context.invoice"),
            Context::Finance => t("context.finance"),
            Context::Dashboard => t("context.dashboard"),
            Context::Sales => t("context.sales"),
            Context::Forecast => t("context.forecast"),
            Context::Targets => t("context.targets"),
            Context::ImportFile => t("context.import-file"),
            Context::ImportField => t("context.import-field"),
            Context::Import => t("context.import"),
        }
    }
}

/// A key with only the modifiers that matter (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

/// `KeyCode` has no `Ord`; this is the part of it bindings use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(u8),
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("delete", KeyCode::Delete),
    ("backspace", KeyCode::Backspace),
    ("insert", KeyCode::Insert),
];

impl Key {
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        let code = match event.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            other => KeyCodeOrd::Named(NAMED.iter().position(|(_, k)| *k == other)? as u8),
        };
        Some(Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// A key that types a character into a field.
    pub fn is_printable(&self) -> bool {
        matches!(self.code, KeyCodeOrd::Char(_)) && !self.ctrl && !self.alt
    }

    /// Shown in help: `Ctrl-S`, `Esc`, `G`, `Space`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "Space".to_string(),
            KeyCodeOrd::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCodeOrd::Char(c) => c.to_string(),
            KeyCodeOrd::F(n) => format!("F{n}"),
            KeyCodeOrd::Named(i) => match NAMED.get(usize::from(i)).map(|(n, _)| *n).unwrap_or("?") {
                "enter" => "Enter".into(),
                "esc" => "Esc".into(),
                "tab" => "Tab".into(),
                "backtab" => "Shift-Tab".into(),
                "up" => "↑".into(),
                "down" => "↓".into(),
                "left" => "←".into(),
                "right" => "→".into(),
                "pageup" => "PgUp".into(),
                "pagedown" => "PgDn".into(),
                "home" => "Home".into(),
                "end" => "End".into(),
                "delete" => "Del".into(),
                "backspace" => "Backspace".into(),
                other => other.to_string(),
            },
        };
        let mut label = String::new();
        if self.ctrl {
            label.push_str("Ctrl-");
        }
        if self.alt {
            label.push_str("Alt-");
        }
        label.push_str(&base);
        label
    }
}

impl FromStr for Key {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Key, String> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeOrd::Char(c),
            _ if rest == "space" => KeyCodeOrd::Char(' '),
            _ if rest == "shift-tab" => KeyCodeOrd::Named(3),
            _ => {
                if let Some(n) =
                    rest.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=12).contains(n))
                {
                    KeyCodeOrd::F(n)
                } else {
                    let index = NAMED
                        .iter()
                        .position(|(name, _)| *name == rest)
                        .ok_or_else(|| tf("err.unknown_key", &[("key", &text)]))?;
                    KeyCodeOrd::Named(index as u8)
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }
}

/// Plain keys first, then named keys, then shifted letters, then chords: the order in which
/// help lists a binding's keys, and the first is the one hints show.
fn label_rank(label: &str) -> u8 {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        _ if label.starts_with("Ctrl-") || label.starts_with("Alt-") => 3,
        (Some(c), None) if c.is_ascii_uppercase() => 2,
        // Arrows are shown as one symbol but are named keys, not characters.
        (Some(c), None) if c.is_ascii_graphic() => 0,
        _ => 1,
    }
}

/// The effective bindings of every screen.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Context, BTreeMap<Key, Action>>,
}

const DEFAULTS: &str = include_str!("keymap.toml");

impl Keymap {
    /// The defaults with `overrides` (screen -> key -> action) merged over them.
    pub fn new(overrides: &BTreeMap<String, BTreeMap<String, String>>) -> Result<Keymap> {
        let defaults: BTreeMap<String, BTreeMap<String, String>> =
            toml::from_str(DEFAULTS).map_err(|e| Error::BadArgument(format!("keymap.toml: {e}")))?;
        let mut keymap = Keymap { bindings: BTreeMap::new() };
        keymap.merge(&defaults).map_err(Error::BadArgument)?;
        keymap.merge(overrides).map_err(|reason| Error::Config { path: "config.toml [keys]".into(), reason })?;
        Ok(keymap)
    }

    fn merge(&mut self, table: &BTreeMap<String, BTreeMap<String, String>>) -> std::result::Result<(), String> {
        for (screen, keys) in table {
            let context = Context::from_str(screen).map_err(|_| tf("err.unknown_screen", &[("screen", screen)]))?;
            let map = self.bindings.entry(context).or_default();
            for (key, action) in keys {
                let key = Key::from_str(key)?;
                let action = Action::from_str(action).map_err(|_| tf("err.unknown_action", &[("action", action)]))?;
                map.insert(key, action);
            }
        }
        Ok(())
    }

    /// The action of `key` on `context`: the screen's own binding first, then a global one
    /// (printable global keys do not apply while typing).
    pub fn lookup(&self, context: Context, key: &Key) -> Option<Action> {
        if let Some(action) = self.bindings.get(&context).and_then(|m| m.get(key)) {
            return Some(*action);
        }
        if matches!(context, Context::Help | Context::Confirm) || (context.takes_text() && key.is_printable()) {
            return None;
        }
        self.bindings.get(&Context::Global).and_then(|m| m.get(key)).copied()
    }

    /// Each action of a screen with all its keys, in the order actions are declared.
    pub fn actions_of(&self, context: Context) -> Vec<(Action, Vec<String>)> {
        let mut grouped: Vec<(Action, Vec<String>)> = Vec::new();
        if let Some(map) = self.bindings.get(&context) {
            for (key, action) in map {
                match grouped.iter_mut().find(|(a, _)| a == action) {
                    Some((_, keys)) => keys.push(key.label()),
                    None => grouped.push((*action, vec![key.label()])),
                }
            }
        }
        grouped.sort_by_key(|(a, _)| *a as usize);
        for (_, keys) in &mut grouped {
            keys.sort_by_key(|k| (label_rank(k), k.clone()));
        }
        grouped
    }

    /// The first key label of `action` on `context` or globally, for hints.
    pub fn key_for(&self, context: Context, action: Action) -> Option<String> {
        [context, Context::Global].iter().find_map(|c| {
            let (_, keys) = self.actions_of(*c).into_iter().find(|(a, _)| *a == action)?;
            // A global printable key is text while typing; offer one that still acts.
            let typing = *c == Context::Global && context.takes_text();
            keys.into_iter().find(|k| !typing || k.chars().count() > 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEvent;

    fn key(code: KeyCode, mods: KeyModifiers) -> Key {
        Key::from_event(&KeyEvent::new(code, mods)).unwrap()
    }

    #[test]
    fn defaults_parse_and_screens_win_over_global() {
        let map = Keymap::new(&BTreeMap::new()).unwrap();
        let tab = key(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(map.lookup(Context::Form, &tab), Some(Action::NextField));
        assert_eq!(map.lookup(Context::List, &tab), Some(Action::NextTab));
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Context::List, &q), Some(Action::Quit));
        assert_eq!(map.lookup(Context::Form, &q), None, "q is text in a form");
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(Context::Form, &ctrl_c), Some(Action::Quit));
        let shifted_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.lookup(Context::List, &shifted_g), Some(Action::Last));
    }

    #[test]
    fn overrides_replace_defaults_and_bad_ones_are_named() {
        let mut overrides = BTreeMap::new();
        overrides.insert("list".to_string(), BTreeMap::from([("x".to_string(), "delete".to_string())]));
        let map = Keymap::new(&overrides).unwrap();
        assert_eq!(map.lookup(Context::List, &"x".parse().unwrap()), Some(Action::Delete));
        assert!(
            map.actions_of(Context::List)
                .iter()
                .any(|(a, keys)| *a == Action::Delete && keys.contains(&"x".to_string()))
        );
        overrides.insert("list".to_string(), BTreeMap::from([("x".to_string(), "explode".to_string())]));
        let err = Keymap::new(&overrides).unwrap_err().to_string();
        assert!(err.contains("explode"), "{err}");
    }

    #[test]
    fn key_names_round_trip_to_labels() {
        assert_eq!("ctrl-s".parse::<Key>().unwrap().label(), "Ctrl-S");
        assert_eq!("backtab".parse::<Key>().unwrap().label(), "Shift-Tab");
        assert_eq!("f2".parse::<Key>().unwrap().label(), "F2");
        assert!("hyper-x".parse::<Key>().is_err());
    }
}
