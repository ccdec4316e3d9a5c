//! Where shopdesk keeps its files: the database in the user's data folder, the optional
//! config file in the user's config folder.

use std::path::PathBuf;

use directories::ProjectDirs;

use crate::error::{Error, Result};

fn project_dirs() -> Result<ProjectDirs> {
    ProjectDirs::from("", "", "shopdesk").ok_or_else(|| Error::BadArgument(crate::i18n::t("err.no_home").to_string()))
}

/// The data folder, created if missing.
pub fn data_dir() -> Result<PathBuf> {
    let dir = project_dirs()?.data_dir().to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io { path: dir.clone(), source })?;
    Ok(dir)
}

pub fn default_db() -> Result<PathBuf> {
    Ok(data_dir()?.join("shopdesk.db"))
}

pub fn demo_db() -> Result<PathBuf> {
    Ok(data_dir()?.join("demo.db"))
}

pub fn config_file() -> Option<PathBuf> {
    project_dirs().ok().map(|d| d.config_dir().join("config.toml"))
}
