//! Windows over the current screen: help, the command palette, and yes/no questions.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use tui_input::Input;

use super::action::Action;
use super::keymap::{Context, Keymap};
use crate::domain::ids::CustomerId;

#[derive(Debug)]
pub enum Overlay {
    /// Every binding of `context` and the global ones.
    Help {
        context: Context,
        scroll: usize,
    },
    Palette(Palette),
    Confirm(Confirm),
}

/// What a yes will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    DeleteCustomer {
        id: CustomerId,
        version: i64,
    },
    DiscardForm,
    WriteOffExpired,
    CancelOrder,
    PostCount,
    ReceiveTransfer(String),
    /// A draft order for the customer of a deal just won.
    StartOrder(CustomerId),
    /// Move the chosen customers to their suggested tiers.
    ApplyTiers,
    /// The import screen's file, for real.
    RunImport,
    Quit,
}

#[derive(Debug)]
pub struct Confirm {
    pub message: String,
    pub pending: Pending,
}

/// The command palette: every action of the screen underneath, fuzzy-searchable.
#[derive(Debug)]
pub struct Palette {
    pub input: Input,
    pub selected: usize,
    /// The screen the palette was opened on; its actions are offered.
    pub context: Context,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaletteEntry {
    pub action: Action,
    pub description: &'static str,
    pub keys: String,
}

impl Palette {
    pub fn new(context: Context) -> Palette {
        Palette { input: Input::default(), selected: 0, context }
    }

    /// The actions that match what was typed, best first.
    pub fn entries(&self, keymap: &Keymap) -> Vec<PaletteEntry> {
        let mut all: Vec<PaletteEntry> = Vec::new();
        for context in [self.context, Context::Global] {
            for (action, keys) in keymap.actions_of(context) {
                if matches!(action, Action::Palette | Action::Accept) || all.iter().any(|e| e.action == action) {
                    continue;
                }
                all.push(PaletteEntry { action, description: action.describe(), keys: keys.join(", ") });
            }
        }
        let query = self.input.value();
        if query.trim().is_empty() {
            return all;
        }
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let haystacks: Vec<(usize, String)> =
            all.iter().enumerate().map(|(i, e)| (i, format!("{} {}", e.description, e.action))).collect();
        let ranked = pattern.match_list(haystacks.iter().map(|(i, text)| Ranked(*i, text)), &mut matcher);
        ranked.into_iter().filter_map(|(r, _)| all.get(r.0).cloned()).collect()
    }
}

/// A haystack that remembers which entry it came from.
struct Ranked<'a>(usize, &'a str);

impl AsRef<str> for Ranked<'_> {
    fn as_ref(&self) -> &str {
        self.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn palette_offers_screen_and_global_actions_and_filters_fuzzily() {
        let keymap = Keymap::new(&BTreeMap::new()).unwrap();
        let mut palette = Palette::new(Context::List);
        let all = palette.entries(&keymap);
        assert!(all.iter().any(|e| e.action == Action::New));
        assert!(all.iter().any(|e| e.action == Action::Quit));
        assert!(!all.iter().any(|e| e.action == Action::Palette));
        palette.input = Input::new("archvd".into());
        let found = palette.entries(&keymap);
        assert!(matches!(found.first().map(|e| e.action), Some(Action::ToggleArchived | Action::Archive)), "{found:?}");
        assert!(found.len() < all.len());
    }
}
