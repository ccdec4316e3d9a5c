//! The optional config file (`config.toml` in the user's config folder): language, theme
//! and key overrides. Missing is fine; malformed is reported with the file's name.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `en` or `zh-CN`.
    pub lang: Option<String>,
    /// `default`, or `mono` for no colours (as `NO_COLOR` does).
    pub theme: Option<String>,
    /// Per screen, key to action: `[keys.list] x = "archive"`.
    #[serde(default)]
    pub keys: BTreeMap<String, BTreeMap<String, String>>,
}

impl Config {
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let Some(path) = path.filter(|p| p.exists()) else { return Ok(Config::default()) };
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        toml::from_str(&text).map_err(|e| Error::Config { path: path.to_path_buf(), reason: e.message().to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses_and_a_typo_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "lang = \"zh-CN\"\ntheme = \"mono\"\n[keys.list]\nx = \"archive\"\n").unwrap();
        let config = Config::load(Some(&path)).unwrap();
        assert_eq!(config.lang.as_deref(), Some("zh-CN"));
        assert_eq!(config.keys["list"]["x"], "archive");
        std::fs::write(&path, "langauge = \"en\"\n").unwrap();
        let err = Config::load(Some(&path)).unwrap_err();
        assert!(err.to_string().contains("config.toml"), "{err}");
        assert!(Config::load(Some(&dir.path().join("missing.toml"))).is_ok());
    }
}
