//! Everything a key can do. The only path from a key press to a change of state.

use strum::{Display, EnumIter, EnumString, IntoStaticStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Action {
    Quit,
    Help,
    Palette,
    NextTab,
    PrevTab,
    TabCustomers,
    Down,
    Up,
    PageDown,
    PageUp,
    First,
    Last,
    Open,
    New,
    Edit,
    Filter,
    SortNext,
    SortReverse,
    ToggleArchived,
    Archive,
    Delete,
    Refresh,
    Save,
    NextField,
    PrevField,
    Accept,
    Back,
    Yes,
    No,
    LogContact,
    RecordFeedback,
    ShowFollowUps,
    ShowFeedback,
    Done,
    StartWork,
    Resolve,
    Close,
    Reopen,
}

impl Action {
    /// One or two words for the status bar's hints.
    pub fn short(self) -> &'static str {
        use crate::i18n::t;
        match self {
            Action::Quit => t("short.quit"),
            Action::Help => t("short.help"),
            Action::Open => t("short.open"),
            Action::New => t("short.new"),
            Action::Edit => t("short.edit"),
            Action::Filter => t("short.filter"),
            Action::Archive => t("short.archive"),
            Action::Save => t("short.save"),
            Action::NextField => t("short.next-field"),
            Action::Accept => t("short.accept"),
            Action::Back => t("short.back"),
            Action::LogContact => t("short.log-contact"),
            Action::Done => t("short.done"),
            Action::Resolve => t("short.resolve"),
            other => other.describe(),
        }
    }

    /// What the action does, in the current language, for help and the palette.
    pub fn describe(self) -> &'static str {
        use crate::i18n::t;
        match self {
            Action::Quit => t("action.quit"),
            Action::Help => t("action.help"),
            Action::Palette => t("action.palette"),
            Action::NextTab => t("action.next-tab"),
            Action::PrevTab => t("action.prev-tab"),
            Action::TabCustomers => t("action.tab-customers"),
            Action::Down => t("action.down"),
            Action::Up => t("action.up"),
            Action::PageDown => t("action.page-down"),
            Action::PageUp => t("action.page-up"),
            Action::First => t("action.first"),
            Action::Last => t("action.last"),
            Action::Open => t("action.open"),
            Action::New => t("action.new"),
            Action::Edit => t("action.edit"),
            Action::Filter => t("action.filter"),
            Action::SortNext => t("action.sort-next"),
            Action::SortReverse => t("action.sort-reverse"),
            Action::ToggleArchived => t("action.toggle-archived"),
            Action::Archive => t("action.archive"),
            Action::Delete => t("action.delete"),
            Action::Refresh => t("action.refresh"),
            Action::Save => t("action.save"),
            Action::NextField => t("action.next-field"),
            Action::PrevField => t("action.prev-field"),
            Action::Accept => t("action.accept"),
            Action::Back => t("action.back"),
            Action::Yes => t("action.yes"),
            Action::No => t("action.no"),
            Action::LogContact => t("action.log-contact"),
            Action::RecordFeedback => t("action.record-feedback"),
            Action::ShowFollowUps => t("action.show-follow-ups"),
            Action::ShowFeedback => t("action.show-feedback"),
            Action::Done => t("action.done"),
            Action::StartWork => t("action.start-work"),
            Action::Resolve => t("action.resolve"),
            Action::Close => t("action.close"),
            Action::Reopen => t("action.reopen"),
        }
    }
}
