//! The one catalogue of user-facing text, in English and Simplified Chinese.
//!
//! Strings live in `en.toml` and `zh-CN.toml` beside this file, compiled in. `t("key")`
//! looks a string up in the current language; `tf("key", &[("name", value)])` also fills
//! `{name}` placeholders. A test fails when a key is missing in either language or when
//! the code asks for a key that does not exist.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    /// Accepts `en`, `zh-CN`, and locale strings such as `zh_CN.UTF-8` or `en-GB`.
    pub fn parse(text: &str) -> Option<Lang> {
        let lower = text.trim().to_ascii_lowercase().replace('_', "-");
        if lower.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if lower.starts_with("en") || lower == "c" || lower == "posix" || lower.starts_with("c.") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Chooses the language for all later look-ups (set once at start-up).
pub mod format;

pub fn set_lang(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

pub fn lang() -> Lang {
    if CURRENT.load(Ordering::Relaxed) == Lang::ZhCn as u8 { Lang::ZhCn } else { Lang::En }
}

type Catalogue = HashMap<String, String>;

static EN: LazyLock<Catalogue> = LazyLock::new(|| flatten(include_str!("en.toml")));
static ZH_CN: LazyLock<Catalogue> = LazyLock::new(|| flatten(include_str!("zh-CN.toml")));

fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH_CN,
    }
}

/// Turns nested TOML tables into dotted keys: `[customer] name = ".."` is `customer.name`.
/// A malformed catalogue is caught by the tests; at run time it yields an empty one and
/// every look-up shows its key rather than crashing the shop.
fn flatten(source: &str) -> Catalogue {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Catalogue) {
        for (key, value) in table {
            let full = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            match value {
                toml::Value::Table(inner) => walk(&full, inner, out),
                toml::Value::String(text) => {
                    out.insert(full, text.clone());
                }
                _ => {}
            }
        }
    }
    let mut out = Catalogue::new();
    if let Ok(table) = source.parse::<toml::Table>() {
        walk("", &table, &mut out);
    }
    out
}

/// The text for `key` in the current language; the key itself if it is missing, so a gap
/// shows on screen instead of crashing.
pub fn t(key: &'static str) -> &'static str {
    catalogue(lang()).get(key).or_else(|| EN.get(key)).map(String::as_str).unwrap_or(key)
}

/// `t` with `{name}` placeholders filled in.
pub fn tf(key: &'static str, args: &[(&str, &dyn Display)]) -> String {
    fill(t(key), args)
}

/// Fills `{name}` with its value, and `{name#one|other}` with the value and the form its
/// number takes: `{count#line|lines}` reads "1 line" or "3 lines". A form may carry the
/// words that agree with it (`{n#line differs|lines differ}`); Chinese needs none of this.
/// One pass: a value that itself holds braces is never filled in again, and a placeholder
/// without a value stays as written, so a gap shows instead of vanishing.
fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            rest = &rest[open..];
            break;
        };
        let inside = &after[..close];
        let (name, forms) = match inside.split_once('#') {
            Some((name, forms)) => (name, forms.split_once('|')),
            None => (inside, None),
        };
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                let value = value.to_string();
                out.push_str(&value);
                if let Some((one, other)) = forms {
                    out.push(' ');
                    out.push_str(if value == "1" || value == "-1" { one } else { other });
                }
            }
            None => {
                out.push('{');
                out.push_str(inside);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// `tf` for a key read from stored data (a timeline message) rather than written in the
/// code: an unknown key shows as itself, with its values, so nothing stored is lost.
pub fn tf_dynamic(key: &str, args: &[(&str, &dyn Display)]) -> String {
    let Some(template) = catalogue(lang()).get(key).or_else(|| EN.get(key)) else {
        let values: Vec<String> = args.iter().map(|(n, v)| format!("{n}={v}")).collect();
        return format!("{key} {}", values.join(" "));
    };
    fill(template, args)
}

/// The label of a customer field in the current language.
pub fn field_label(field: crate::domain::customer::CustomerField) -> &'static str {
    use crate::domain::customer::CustomerField as F;
    match field {
        F::Code => t("field.code"),
        F::Name => t("field.name"),
        F::Company => t("field.company"),
        F::Contact => t("field.contact"),
        F::Title => t("field.title"),
        F::Phone => t("field.phone"),
        F::Email => t("field.email"),
        F::Address => t("field.address"),
        F::City => t("field.city"),
        F::Region => t("field.region"),
        F::Tier => t("field.tier"),
        F::Salesperson => t("field.salesperson"),
        F::TaxId => t("field.tax_id"),
        F::Notes => t("field.notes"),
    }
}

/// The label of a field named by its column, for any record; the column itself when the
/// catalogue has no label for it.
pub fn column_label(column: &'static str) -> &'static str {
    let key = format!("field.{column}");
    catalogue(lang()).get(&key).or_else(|| EN.get(&key)).map(String::as_str).unwrap_or(column)
}

/// A report column's heading on screen; the column's key when none is translated.
pub fn report_column_label(column: &'static str) -> &'static str {
    let key = format!("report_column.{column}");
    catalogue(lang()).get(&key).or_else(|| EN.get(&key)).map(String::as_str).unwrap_or(column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        assert!(include_str!("en.toml").parse::<toml::Table>().is_ok());
        assert!(include_str!("zh-CN.toml").parse::<toml::Table>().is_ok());
        let en: BTreeSet<_> = EN.keys().collect();
        let zh: BTreeSet<_> = ZH_CN.keys().collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in zh-CN.toml: {only_en:?}");
        assert!(only_zh.is_empty(), "missing in en.toml: {only_zh:?}");
        assert!(en.len() > 50);
    }

    #[test]
    fn placeholders_match_between_languages() {
        let names = |text: &str| -> BTreeSet<String> {
            text.split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}'))
                .map(|(n, _)| n.split('#').next().unwrap_or(n).to_string())
                .collect()
        };
        for (key, en) in EN.iter() {
            let zh = &ZH_CN[key];
            assert_eq!(names(en), names(zh), "placeholders differ for {key}");
        }
    }

    /// Every catalogue key the code names (in `t`, `tf`, or as a literal picked at run
    /// time such as "flash.archived") exists.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let sections: BTreeSet<&str> = EN.keys().filter_map(|k| k.split('.').next()).collect();
        let looks_like_key = |s: &str| {
            s.split_once('.').is_some_and(|(section, rest)| {
                sections.contains(section)
                    && !rest.is_empty()
                    && rest.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '-' || c == '.')
            })
        };
        let mut missing = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    for (i, literal) in source.split('"').enumerate() {
                        if i % 2 == 1 && looks_like_key(literal) && !EN.contains_key(literal) {
                            missing.push(format!("{}: {literal}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from the catalogue: {missing:#?}");
    }

    #[test]
    fn plural_forms_follow_the_number() {
        let lines = |n: &dyn Display| fill("Booked {n#line|lines} into {w}.", &[("n", n), ("w", &"{n}")]);
        assert_eq!(lines(&1), "Booked 1 line into {n}.");
        assert_eq!(lines(&0), "Booked 0 lines into {n}.");
        assert_eq!(lines(&"1,000"), "Booked 1,000 lines into {n}.");
        assert_eq!(lines(&"1.5"), "Booked 1.5 lines into {n}.");
        assert_eq!(fill("{n#line differs|lines differ}", &[("n", &1)]), "1 line differs");
        assert_eq!(fill("{missing} and {n#a|b", &[("n", &2)]), "{missing} and {n#a|b");
    }

    /// Every plural placeholder has exactly two forms, and only English needs them.
    #[test]
    fn plural_placeholders_have_two_forms() {
        for (key, text) in EN.iter().chain(ZH_CN.iter()) {
            for inside in text.split('{').skip(1).filter_map(|s| s.split_once('}')).map(|(i, _)| i) {
                if let Some((_, forms)) = inside.split_once('#') {
                    assert_eq!(forms.matches('|').count(), 1, "{key}: {{{inside}}} needs one|other");
                }
            }
        }
    }

    #[test]
    fn language_from_locale_strings() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("fr_FR"), None);
    }
}
