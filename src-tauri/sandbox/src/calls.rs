//! Which access token each API call carried, per path: what lets a test prove that every call
//! of a console borrowing a backend's token carried *that* token (and that it fetched none).

use std::collections::HashMap;

use serde::Serialize;

/// Distinct tokens remembered per path; past it, calls are only counted (`tokens_dropped`), so a
/// 200,000-account sync cannot grow the map without bound.
const MAX_TOKENS_PER_PATH: usize = 10_000;

/// The calls on one API path.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PathCalls {
    pub calls: u64,
    /// Calls with neither `component_access_token=` nor `access_token=` in the query.
    pub without_token: u64,
    /// Token → calls that carried it.
    pub tokens: HashMap<String, u64>,
    /// Calls whose token was not remembered (past [`MAX_TOKENS_PER_PATH`]).
    pub tokens_dropped: u64,
}

#[derive(Debug, Default)]
pub struct CallLog {
    paths: HashMap<String, PathCalls>,
}

impl CallLog {
    pub fn record(&mut self, path: &str, token: Option<&str>) {
        let entry = match self.paths.get_mut(path) {
            Some(e) => e,
            None => self.paths.entry(path.to_owned()).or_default(),
        };
        entry.calls += 1;
        match token.filter(|t| !t.is_empty()) {
            None => entry.without_token += 1,
            Some(t) => {
                let room = entry.tokens.len() < MAX_TOKENS_PER_PATH;
                match entry.tokens.get_mut(t) {
                    Some(n) => *n += 1,
                    None if room => {
                        entry.tokens.insert(t.to_owned(), 1);
                    }
                    None => entry.tokens_dropped += 1,
                }
            }
        }
    }

    pub fn path(&self, path: &str) -> PathCalls {
        self.paths.get(path).cloned().unwrap_or_default()
    }

    pub fn all(&self) -> HashMap<String, PathCalls> {
        self.paths.clone()
    }
}

/// The token a request carried, as the API reads it (`component_access_token=` first, as the
/// component API does; then `access_token=`).
pub fn token_of(raw_query: &str) -> Option<String> {
    let mut access = None;
    for (k, v) in url::form_urlencoded::parse(raw_query.as_bytes()) {
        match k.as_ref() {
            "component_access_token" => return Some(v.into_owned()),
            "access_token" if access.is_none() => access = Some(v.into_owned()),
            _ => {}
        }
    }
    access
}
