//! Reading a whole search result for an export, in chunks.
//!
//! An export must hold what the table shows (same filters, same order) for up to a million rows
//! without building a million rows in memory: [`Store::authorizer_ids_matching`] answers the
//! ids only (8 bytes a row, from the in-memory search index like the table, or SQL), and the
//! exporter reads them back [`Store::export_rows`] a chunk at a time, each chunk its own short
//! use of the read connection so that the table's searches are not blocked behind an export.

use std::sync::Arc;

use rusqlite::params_from_iter;

use super::authorizers::{row, search_needle, sql_filter, AuthorizerRow, ROW_COLS};
use super::db::Store;
use super::error::{Ctx, StoreError};
use super::permissions;
use super::search_index::{Lookup, SearchIndex};
use super::tx::generation;
use super::types::{AuthorizerQuery, Permission, Sort};

/// One row of an export: the table's row and its permission sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub authorizer: AuthorizerRow,
    /// Empty until details were fetched.
    pub permissions: Vec<Permission>,
}

impl Store {
    /// The row ids of every authorizer matching `q` (its `limit` and `offset` ignored), in the
    /// order of its sort: what the table would show across all its pages.
    pub fn authorizer_ids_matching(
        &self,
        profile_id: i64,
        q: &AuthorizerQuery,
    ) -> Result<Vec<i64>, StoreError> {
        let needle = q.query.as_deref().and_then(search_needle);
        let from_index = self.with_read(|c| {
            let tx = c.unchecked_transaction().ctx("begin export ids")?;
            let gen = generation(&tx, profile_id)?;
            let idx = match self.search_cache().get(profile_id, gen) {
                Lookup::Current(idx) => idx,
                Lookup::Build => {
                    let idx = SearchIndex::build(&tx, profile_id)?.map(Arc::new);
                    self.search_cache().put(profile_id, gen, idx.clone());
                    idx
                }
                Lookup::Sql => None,
            };
            tx.finish().ctx("end export ids")?;
            let all = AuthorizerQuery {
                offset: 0,
                ..q.clone()
            };
            Ok(idx.map(|idx| idx.search(needle.as_deref(), &all, u32::MAX).ids))
        })?;
        match from_index {
            Some(ids) => Ok(ids),
            None => self.authorizer_ids_matching_sql(profile_id, q),
        }
    }

    /// [`Store::authorizer_ids_matching`] in SQL (the fallback; tests compare the two).
    #[doc(hidden)]
    pub fn authorizer_ids_matching_sql(
        &self,
        profile_id: i64,
        q: &AuthorizerQuery,
    ) -> Result<Vec<i64>, StoreError> {
        let (filter, args) = sql_filter(profile_id, q);
        let dir = if q.desc { "DESC" } else { "ASC" };
        let order = match q.sort {
            Sort::NickName => format!("nick_name {dir}, appid {dir}"),
            Sort::AuthTime => format!("auth_time {dir}, appid {dir}"),
            Sort::Appid => format!("appid {dir}"),
        };
        self.with_read(|c| {
            let mut s = c
                .prepare(&format!(
                    "SELECT id FROM authorizers WHERE {filter} ORDER BY {order}"
                ))
                .ctx("export ids")?;
            let ids = s
                .query_map(params_from_iter(args.iter()), |r| r.get(0))
                .ctx("export ids")?
                .collect::<Result<Vec<i64>, _>>()
                .ctx("export ids");
            ids
        })
    }

    /// The rows of `ids`, in that order, with their permissions; an id no longer stored (the
    /// account was removed since the ids were read) is skipped.
    pub fn export_rows(&self, profile_id: i64, ids: &[i64]) -> Result<Vec<ExportRow>, StoreError> {
        self.with_read(|c| {
            let tx = c.unchecked_transaction().ctx("begin export rows")?;
            let mut s = tx
                .prepare_cached(&format!(
                    "SELECT {ROW_COLS}, (SELECT permissions FROM authorizer_details d
                         WHERE d.authorizer_id = a.id)
                     FROM authorizers a WHERE a.id = ?1 AND a.profile_id = ?2"
                ))
                .ctx("export rows")?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let mut rows = s
                    .query(rusqlite::params![id, profile_id])
                    .ctx("export rows")?;
                let Some(r) = rows.next().ctx("export rows")? else {
                    continue;
                };
                let authorizer = row(r).ctx("export rows")?;
                let perms: Option<String> = r.get(18).ctx("export rows")?;
                let permissions = match perms {
                    Some(text) => permissions::decode(&text)?,
                    None => Vec::new(),
                };
                out.push(ExportRow {
                    authorizer,
                    permissions,
                });
            }
            drop(s);
            tx.finish().ctx("end export rows")?;
            Ok(out)
        })
    }
}
