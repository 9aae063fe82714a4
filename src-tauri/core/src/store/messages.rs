//! `messages`: history of received pushes (decoded, with secrets already removed by the caller).

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Row};
use serde::{Deserialize, Serialize};

use super::db::Store;
use super::error::{Ctx, StoreError};
use super::text_enum::text_enum;

text_enum! {
    /// `applied`: acted upon; `failed`: could not be applied; `ignored`: kept only.
    pub enum MessageStatus { Applied => "applied", Failed => "failed", Ignored => "ignored" }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub profile_id: i64,
    pub received_at: i64,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    pub status: MessageStatus,
    /// The decoded push as JSON text (ticket and auth codes redacted by the caller).
    pub decoded: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MessageRow {
    pub id: i64,
    pub profile_id: i64,
    pub received_at: i64,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    pub status: MessageStatus,
    pub decoded: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct MessageQuery {
    pub info_type: Option<String>,
    pub status: Option<MessageStatus>,
    pub authorizer_appid: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for MessageQuery {
    fn default() -> Self {
        MessageQuery {
            info_type: None,
            status: None,
            authorizer_appid: None,
            limit: 50,
            offset: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MessagePage {
    pub total: u64,
    /// Newest first.
    pub rows: Vec<MessageRow>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        profile_id: r.get(1)?,
        received_at: r.get(2)?,
        info_type: r.get(3)?,
        authorizer_appid: r.get(4)?,
        status: r.get(5)?,
        decoded: r.get(6)?,
        error: r.get(7)?,
    })
}

impl Store {
    pub fn message_insert(&self, m: &NewMessage) -> Result<i64, StoreError> {
        self.with_write(|c| {
            c.execute(
                "INSERT INTO messages (profile_id, received_at, info_type, authorizer_appid, status, decoded, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![m.profile_id, m.received_at, m.info_type, m.authorizer_appid, m.status, m.decoded, m.error],
            )
            .ctx("store message")?;
            Ok(c.last_insert_rowid())
        })
    }

    /// Deletes at most `limit` messages (of every profile) received before `before`, oldest
    /// first, in one short transaction; returns how many (see [`Store::audit_prune_batch`]).
    pub fn messages_prune_batch(&self, before: i64, limit: usize) -> Result<usize, StoreError> {
        self.with_write(|c| {
            c.prepare_cached(
                "DELETE FROM messages WHERE id IN
                     (SELECT id FROM messages WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)",
            )
            .and_then(|mut s| s.execute(params![before, limit as i64]))
            .ctx("prune messages")
        })
    }

    pub fn messages_list(
        &self,
        profile_id: i64,
        q: &MessageQuery,
    ) -> Result<MessagePage, StoreError> {
        let mut filter = String::from("profile_id = ?");
        let mut args = vec![Value::Integer(profile_id)];
        if let Some(t) = &q.info_type {
            filter.push_str(" AND info_type = ?");
            args.push(Value::Text(t.clone()));
        }
        if let Some(s) = q.status {
            filter.push_str(" AND status = ?");
            args.push(Value::Text(s.as_str().into()));
        }
        if let Some(a) = &q.authorizer_appid {
            filter.push_str(" AND authorizer_appid = ?");
            args.push(Value::Text(a.clone()));
        }
        self.with_read(|c| {
            let total: i64 = c
                .prepare_cached(&format!("SELECT count(*) FROM messages WHERE {filter}"))
                .and_then(|mut s| s.query_row(params_from_iter(args.iter()), |r| r.get(0)))
                .ctx("count messages")?;
            let mut page_args = args.clone();
            page_args.push(Value::Integer(q.limit.min(1000) as i64));
            page_args.push(Value::Integer(q.offset as i64));
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT id, profile_id, received_at, info_type, authorizer_appid, status, decoded, error
                     FROM messages WHERE {filter} ORDER BY id DESC LIMIT ? OFFSET ?"
                ))
                .ctx("list messages")?;
            let rows = s
                .query_map(params_from_iter(page_args.iter()), row)
                .ctx("list messages")?
                .collect::<Result<Vec<_>, _>>()
                .ctx("list messages")?;
            Ok(MessagePage {
                total: total as u64,
                rows,
            })
        })
    }
}
