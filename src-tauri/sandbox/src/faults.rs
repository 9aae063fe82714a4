//! Fault injection: what the console must survive from the real API and the network between.
//! `path: None` affects every API path (`/cgi-bin/...`, never the `/sandbox/*` control surface);
//! `times: Some(n)` affects the next `n` matching requests, `None` until cleared.
//!
//! `ClientIpNotRegistered` reproduces the platform IP whitelist check (reference §0.1, §6):
//! `61004 access clientip is not registered requestIP: <ip> rid: …` on every API call.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Delay the answer (then answer normally).
    Latency {
        #[serde(default)]
        path: Option<String>,
        millis: u64,
    },
    /// Answer with this HTTP status and a non-JSON body.
    HttpStatus {
        #[serde(default)]
        path: Option<String>,
        status: u16,
        #[serde(default)]
        times: Option<u32>,
    },
    /// Close the TCP connection without answering.
    DropConnection {
        #[serde(default)]
        path: Option<String>,
        #[serde(default)]
        times: Option<u32>,
    },
    /// HTTP 200 with a truncated JSON body.
    MalformedJson {
        #[serde(default)]
        path: Option<String>,
        #[serde(default)]
        times: Option<u32>,
    },
    /// HTTP 200 with `{"errcode": errcode, "errmsg": "<errmsg> rid: …"}`.
    Errcode {
        #[serde(default)]
        path: Option<String>,
        errcode: i64,
        #[serde(default = "default_errmsg")]
        errmsg: String,
        #[serde(default)]
        times: Option<u32>,
    },
    /// Every API call answers 61004 naming this IP.
    ClientIpNotRegistered { client_ip: String },
}

fn default_errmsg() -> String {
    "system error".to_owned()
}

/// What the server does with a request after consulting the faults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    HttpStatus(u16),
    Drop,
    MalformedJson,
    Errcode(i64, String),
}

#[derive(Debug, Default)]
pub struct Faults {
    active: Vec<(Fault, Option<u32>)>,
}

impl Faults {
    pub fn add(&mut self, fault: Fault) {
        let times = match &fault {
            Fault::HttpStatus { times, .. }
            | Fault::DropConnection { times, .. }
            | Fault::MalformedJson { times, .. }
            | Fault::Errcode { times, .. } => *times,
            Fault::Latency { .. } | Fault::ClientIpNotRegistered { .. } => None,
        };
        self.active.push((fault, times));
    }

    pub fn clear(&mut self) {
        self.active.clear();
    }

    pub fn list(&self) -> Vec<Fault> {
        self.active.iter().map(|(f, _)| f.clone()).collect()
    }

    /// Total latency to add for `path`.
    pub fn latency_ms(&self, path: &str) -> u64 {
        self.active
            .iter()
            .filter_map(|(f, _)| match f {
                Fault::Latency { path: p, millis } if matches(p, path) => Some(*millis),
                _ => None,
            })
            .sum()
    }

    /// The first fault that takes over this request, consuming one of its `times`.
    pub fn take(&mut self, path: &str) -> Option<Action> {
        let pos = self.active.iter().position(|(f, left)| {
            left.is_none_or(|n| n > 0)
                && match f {
                    Fault::HttpStatus { path: p, .. }
                    | Fault::DropConnection { path: p, .. }
                    | Fault::MalformedJson { path: p, .. }
                    | Fault::Errcode { path: p, .. } => matches(p, path),
                    Fault::ClientIpNotRegistered { .. } => true,
                    Fault::Latency { .. } => false,
                }
        })?;
        let (fault, left) = &mut self.active[pos];
        let action = match fault {
            Fault::HttpStatus { status, .. } => Action::HttpStatus(*status),
            Fault::DropConnection { .. } => Action::Drop,
            Fault::MalformedJson { .. } => Action::MalformedJson,
            Fault::Errcode {
                errcode, errmsg, ..
            } => Action::Errcode(*errcode, errmsg.clone()),
            Fault::ClientIpNotRegistered { client_ip } => Action::Errcode(
                61004,
                format!("access clientip is not registered requestIP: {client_ip}"),
            ),
            Fault::Latency { .. } => unreachable!("latency never takes a request over"),
        };
        if let Some(n) = left {
            *n -= 1;
            if *n == 0 {
                self.active.remove(pos);
            }
        }
        Some(action)
    }
}

fn matches(fault_path: &Option<String>, path: &str) -> bool {
    fault_path.as_deref().is_none_or(|p| p == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_consumed_and_paths_matched() {
        let mut f = Faults::default();
        f.add(Fault::HttpStatus {
            path: Some("/a".into()),
            status: 500,
            times: Some(2),
        });
        assert_eq!(f.take("/b"), None);
        assert_eq!(f.take("/a"), Some(Action::HttpStatus(500)));
        assert_eq!(f.take("/a"), Some(Action::HttpStatus(500)));
        assert_eq!(f.take("/a"), None);
    }

    #[test]
    fn json_shape() {
        let f: Fault =
            serde_json::from_str(r#"{"kind":"errcode","errcode":-1,"times":1}"#).unwrap();
        assert_eq!(
            f,
            Fault::Errcode {
                path: None,
                errcode: -1,
                errmsg: "system error".into(),
                times: Some(1)
            }
        );
    }
}
