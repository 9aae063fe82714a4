//! The value types of the authorizers table that other parts share (the search index, the
//! permissions codec, services, the UI through the bindings): no storage code here.

use serde::{Deserialize, Serialize};

use super::text_enum::text_enum;

text_enum! {
    /// Official account or mini program (`None` until details are fetched).
    pub enum Kind { OfficialAccount => "official_account", MiniProgram => "mini_program" }
}

text_enum! {
    pub enum Status { Authorized => "authorized", Revoked => "revoked", NeedsReauth => "needs_reauth" }
}

text_enum! {
    /// What changed about an account between two syncs.
    pub enum ChangeKind {
        Baseline => "baseline",
        Authorized => "authorized",
        Revoked => "revoked",
        Reauthorized => "reauthorized",
        Renamed => "renamed",
        Permissions => "permissions",
        VerifyType => "verify_type",
        Principal => "principal",
        ServiceType => "service_type"
    }
}

text_enum! {
    /// Sort column of a search (ties are broken by appid).
    pub enum Sort { NickName => "nick_name", AuthTime => "auth_time", Appid => "appid" }
}

#[allow(clippy::derivable_impls)] // the enum is defined by text_enum!
impl Default for Sort {
    fn default() -> Self {
        Sort::NickName
    }
}

/// One permission set (`func_info` entry) of an authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Permission {
    pub funcscope_id: i64,
    pub need_confirm: Option<i64>,
    pub already_confirm: Option<i64>,
    pub can_confirm: Option<i64>,
}

/// A search: substring `query` over nickname, appid, original id, alias and principal name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct AuthorizerQuery {
    pub query: Option<String>,
    pub kind: Option<Kind>,
    pub verify_type: Option<i64>,
    pub status: Option<Status>,
    /// `Some(true)`: bound to an open account; `Some(false)`: checked and not bound.
    pub has_open: Option<bool>,
    pub sort: Sort,
    pub desc: bool,
    pub limit: u32,
    pub offset: u32,
}

impl Default for AuthorizerQuery {
    fn default() -> Self {
        AuthorizerQuery {
            query: None,
            kind: None,
            verify_type: None,
            status: None,
            has_open: None,
            sort: Sort::NickName,
            desc: false,
            limit: 50,
            offset: 0,
        }
    }
}
