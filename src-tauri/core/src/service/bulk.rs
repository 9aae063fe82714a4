//! Bulk actions over a selection of authorizers (issue 14): set an option, refresh authorizer
//! tokens, fetch details, recover refresh tokens from the list, bind to / unbind from an open
//! account.
//!
//! A job is created from a request: the selection (the table's filter, or the rows picked) is
//! resolved to appids then and there, and each account that cannot or need not be acted on is
//! skipped with its reason (revoked, needs re-authorization, no refresh token, already set…):
//! the dry run is that plan, with nothing written anywhere. The job, its parameters and one
//! row per account are stored (schema v9), so it survives a restart; [`super::bulk_run`] runs
//! it, and [`Console::bulk_results_csv`] exports its result table.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};

use serde::{Deserialize, Serialize};

use super::export::{defuse_formula, push_csv_field, target};
use super::lease::utc_text;
use super::{now, validate, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::authorizers::AuthorizerRow;
use crate::store::bulk_jobs::{BulkAction, BulkJobRow, NewBulkItem, NewBulkJob};
use crate::store::profiles::{OptionApi, TokenSourceKind};
use crate::store::text_enum::text_enum;
use crate::store::types::{AuthorizerQuery, Status};

/// The `settings` key of [`Console::bulk_concurrency`].
pub const BULK_CONCURRENCY_KEY: &str = "bulk_concurrency";
/// Accounts acted on at once when the setting is absent.
pub const DEFAULT_BULK_CONCURRENCY: usize = 4;
/// The largest concurrency accepted.
pub const MAX_BULK_CONCURRENCY: usize = 32;
/// The `settings` key of [`Console::bulk_rate_per_minute`].
pub const BULK_RATE_KEY: &str = "bulk_rate_per_minute";
/// Calls per minute to one endpoint when the setting is absent: WeChat's documented
/// frequency limits for these APIs are per minute, and the backend calls them too.
pub const DEFAULT_BULK_RATE_PER_MINUTE: u32 = 600;
/// Rows read from the store at a time while a selection is resolved.
const PLAN_CHUNK: usize = 2_000;

text_enum! {
    /// Why an account of a selection is not acted on.
    pub enum SkipReason {
        Revoked => "revoked",
        NeedsReauth => "needs_reauth",
        NoRefreshToken => "no_refresh_token",
        AlreadySet => "already_set",
        HasRefreshToken => "has_refresh_token",
        AlreadyBound => "already_bound",
        NotBound => "not_bound",
        BoundElsewhere => "bound_elsewhere",
        NotInCache => "not_in_cache",
    }
}

impl SkipReason {
    /// The reason as the results table and the CSV say it.
    pub fn text(self) -> &'static str {
        match self {
            SkipReason::Revoked => "skipped: revoked",
            SkipReason::NeedsReauth => "skipped: needs re-authorization (61023)",
            SkipReason::NoRefreshToken => {
                "skipped: no refresh token (recover refresh tokens first)"
            }
            SkipReason::AlreadySet => "skipped: already set to this value",
            SkipReason::HasRefreshToken => "skipped: already has a refresh token",
            SkipReason::AlreadyBound => "skipped: already bound to this open account",
            SkipReason::NotBound => "skipped: not bound to an open account",
            SkipReason::BoundElsewhere => "skipped: bound to another open account",
            SkipReason::NotInCache => "skipped: not in the local cache",
        }
    }
}

/// What to do to which accounts.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct BulkRequest {
    pub action: BulkAction,
    /// The selection: every account matching the table's filter (its page ignored)…
    pub query: AuthorizerQuery,
    /// …or, when given, exactly these rows (picked in the table).
    #[serde(default)]
    pub appids: Option<Vec<String>>,
    #[serde(default)]
    pub params: BulkParams,
}

/// An action's parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct BulkParams {
    /// `option_set`: location_report, voice_recognize or customer_service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_name: Option<String>,
    /// `option_set`: the value ("0", "1", "2").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_value: Option<String>,
    /// `open_bind` / `open_unbind`: the open account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_appid: Option<String>,
}

/// Skipped accounts of one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SkipCount {
    pub reason: SkipReason,
    pub count: u64,
}

/// The dry run: how many accounts, how many will be skipped and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BulkPlan {
    pub action: BulkAction,
    pub params: BulkParams,
    pub total: u64,
    /// Accounts that will be acted on.
    pub will_run: u64,
    pub skipped: Vec<SkipCount>,
    /// Whether the action changes something at WeChat (then it needs one confirmation).
    pub writes: bool,
}

impl BulkPlan {
    /// "3,214 accounts, 12 will be skipped: revoked 10, no_refresh_token 2".
    pub fn summary(&self) -> String {
        let skipped: u64 = self.skipped.iter().map(|s| s.count).sum();
        let mut text = format!("{} accounts, {skipped} will be skipped", self.total);
        if !self.skipped.is_empty() {
            let parts: Vec<String> = self
                .skipped
                .iter()
                .map(|s| format!("{} {}", s.reason, s.count))
                .collect();
            text.push_str(&format!(": {}", parts.join(", ")));
        }
        text
    }
}

impl BulkAction {
    /// Whether the action changes something at WeChat (a token refresh replaces the token the
    /// backend may be using).
    pub fn writes(self) -> bool {
        !matches!(self, BulkAction::Details | BulkAction::RecoverRefreshTokens)
    }
}

/// Checks and normalises an action's parameters.
fn checked_params(action: BulkAction, p: &BulkParams) -> CoreResult<BulkParams> {
    match action {
        BulkAction::OptionSet => {
            let name = p.option_name.as_deref().unwrap_or("").trim();
            if !["location_report", "voice_recognize", "customer_service"].contains(&name) {
                return Err(CoreError::InvalidInput(format!(
                    "{name:?} is not an option: location_report, voice_recognize or customer_service"
                )));
            }
            let value = p.option_value.as_deref().unwrap_or("").trim();
            let allowed: &[&str] = if name == "location_report" {
                &["0", "1", "2"]
            } else {
                &["0", "1"]
            };
            if !allowed.contains(&value) {
                return Err(CoreError::InvalidInput(format!(
                    "{value:?} is not a value of {name}: one of {}",
                    allowed.join(", ")
                )));
            }
            Ok(BulkParams {
                option_name: Some(name.into()),
                option_value: Some(value.into()),
                open_appid: None,
            })
        }
        BulkAction::OpenBind | BulkAction::OpenUnbind => {
            let open = validate::appid(p.open_appid.as_deref().unwrap_or(""))?;
            Ok(BulkParams {
                open_appid: Some(open),
                ..Default::default()
            })
        }
        _ => Ok(BulkParams::default()),
    }
}

impl Console {
    /// Accounts a bulk job acts on at once ([`DEFAULT_BULK_CONCURRENCY`] unless set).
    pub fn bulk_concurrency(&self) -> CoreResult<usize> {
        let stored = self.store.setting_get(BULK_CONCURRENCY_KEY)?;
        Ok(stored
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| (1..=MAX_BULK_CONCURRENCY).contains(n))
            .unwrap_or(DEFAULT_BULK_CONCURRENCY))
    }

    pub fn set_bulk_concurrency(&self, n: usize) -> CoreResult<usize> {
        if !(1..=MAX_BULK_CONCURRENCY).contains(&n) {
            return Err(CoreError::InvalidInput(format!(
                "a bulk concurrency of {n} is outside 1..={MAX_BULK_CONCURRENCY}"
            )));
        }
        self.store
            .setting_set(BULK_CONCURRENCY_KEY, &n.to_string())?;
        Ok(n)
    }

    /// Calls a bulk job makes to one endpoint per minute ([`DEFAULT_BULK_RATE_PER_MINUTE`]
    /// unless set).
    pub fn bulk_rate_per_minute(&self) -> CoreResult<u32> {
        let stored = self.store.setting_get(BULK_RATE_KEY)?;
        Ok(stored
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_BULK_RATE_PER_MINUTE))
    }

    pub fn set_bulk_rate_per_minute(&self, n: u32) -> CoreResult<u32> {
        if n == 0 {
            return Err(CoreError::InvalidInput(
                "a rate of 0 calls a minute would never call: give 1 or more".into(),
            ));
        }
        self.store.setting_set(BULK_RATE_KEY, &n.to_string())?;
        Ok(n)
    }

    /// The dry run of `req`: nothing is stored and nothing is sent to WeChat.
    pub fn bulk_plan(&self, rt: &ProfileRt, req: &BulkRequest) -> CoreResult<BulkPlan> {
        let params = checked_params(req.action, &req.params)?;
        let items = self.bulk_items_for(rt, req.action, &params, req)?;
        Ok(plan_of(req.action, params, &items))
    }

    /// Creates the job of `req` (state `pending`; run it with [`Console::bulk_run`]). A job
    /// that writes to WeChat needs `confirm` (the UI asks once, naming the count; the CLI
    /// needs `--yes`).
    pub fn bulk_create(
        &self,
        rt: &ProfileRt,
        req: &BulkRequest,
        confirm: bool,
    ) -> CoreResult<(BulkPlan, BulkJobRow)> {
        let params = checked_params(req.action, &req.params)?;
        let items = self.bulk_items_for(rt, req.action, &params, req)?;
        let plan = plan_of(req.action, params.clone(), &items);
        if plan.writes && !confirm && plan.will_run > 0 {
            return Err(CoreError::Refused(format!(
                "{} writes to WeChat for {} accounts ({}): confirm it (--yes)",
                req.action,
                plan.will_run,
                plan.summary()
            )));
        }
        let params_json = serde_json::to_string(&params)
            .map_err(|e| CoreError::Internal(format!("cannot encode the parameters: {e}")))?;
        let selection = serde_json::to_string(&SelectionRecord {
            query: &req.query,
            picked: req.appids.as_ref().map(|a| a.len()),
        })
        .map_err(|e| CoreError::Internal(format!("cannot encode the selection: {e}")))?;
        let items: Vec<NewBulkItem> = items
            .into_iter()
            .map(|(appid, skip)| NewBulkItem {
                appid,
                skip: skip.map(|s| s.text().to_string()),
            })
            .collect();
        let job = self.store.bulk_job_create(&NewBulkJob {
            profile_id: rt.id(),
            action: req.action,
            params: &params_json,
            selection: &selection,
            items: &items,
            now: now(),
        })?;
        Ok((plan, job))
    }

    /// The profile's bulk jobs, newest first.
    pub fn bulk_jobs(&self, rt: &ProfileRt, limit: u32) -> CoreResult<Vec<BulkJobRow>> {
        Ok(self.store.bulk_jobs_list(rt.id(), limit)?)
    }

    /// One job of the profile.
    pub fn bulk_job(&self, rt: &ProfileRt, id: i64) -> CoreResult<BulkJobRow> {
        self.store
            .bulk_job_get(id)?
            .filter(|j| j.profile_id == rt.id())
            .ok_or_else(|| CoreError::NotFound(format!("bulk job {id} of this profile")))
    }

    /// Results of job `id` after `after_seq`, in order (the result table, a page at a time).
    pub fn bulk_results_page(
        &self,
        rt: &ProfileRt,
        id: i64,
        after_seq: i64,
        limit: u32,
    ) -> CoreResult<Vec<crate::store::bulk_jobs::BulkItemRow>> {
        self.bulk_job(rt, id)?;
        Ok(self.store.bulk_items_page(id, after_seq, limit)?)
    }

    /// The accounts of a selection in the table's order, each with why it is skipped.
    fn bulk_items_for(
        &self,
        rt: &ProfileRt,
        action: BulkAction,
        params: &BulkParams,
        req: &BulkRequest,
    ) -> CoreResult<Vec<(String, Option<SkipReason>)>> {
        let mut out = Vec::new();
        if let Some(picked) = &req.appids {
            for appid in picked {
                let appid = validate::appid(appid)?;
                let skip = match self.store.authorizer_get(rt.id(), &appid)? {
                    Some(d) => self.skip_reason(rt, action, params, &d.authorizer)?,
                    None => Some(SkipReason::NotInCache),
                };
                out.push((appid, skip));
            }
            return Ok(out);
        }
        let ids = self.store.authorizer_ids_matching(rt.id(), &req.query)?;
        for chunk in ids.chunks(PLAN_CHUNK) {
            for r in self.store.export_rows(rt.id(), chunk)? {
                let skip = self.skip_reason(rt, action, params, &r.authorizer)?;
                out.push((r.authorizer.appid, skip));
            }
        }
        Ok(out)
    }

    /// Why `action` is not done to this account, from what the cache knows of it.
    fn skip_reason(
        &self,
        rt: &ProfileRt,
        action: BulkAction,
        params: &BulkParams,
        row: &AuthorizerRow,
    ) -> CoreResult<Option<SkipReason>> {
        if row.status == Status::Revoked {
            return Ok(Some(SkipReason::Revoked));
        }
        // A shared profile borrows its authorizer tokens from the backend: the local cache
        // holding no refresh token says nothing there.
        let local = rt.profile.token_source == TokenSourceKind::Local;
        let needs_authorizer_token = match action {
            BulkAction::RefreshTokens | BulkAction::OpenBind | BulkAction::OpenUnbind => true,
            BulkAction::OptionSet => rt.profile.option_api == OptionApi::V2,
            BulkAction::Details | BulkAction::RecoverRefreshTokens => false,
        };
        if needs_authorizer_token {
            if row.status == Status::NeedsReauth {
                return Ok(Some(SkipReason::NeedsReauth));
            }
            if local && !row.has_refresh_token {
                return Ok(Some(SkipReason::NoRefreshToken));
            }
        }
        let appid = &row.appid;
        Ok(match action {
            BulkAction::RecoverRefreshTokens if row.has_refresh_token => {
                Some(SkipReason::HasRefreshToken)
            }
            BulkAction::OptionSet => {
                let name = params.option_name.as_deref().unwrap_or_default();
                let cached = self.store.option_get(rt.id(), appid, name)?;
                cached
                    .filter(|o| Some(o.value.as_str()) == params.option_value.as_deref())
                    .map(|_| SkipReason::AlreadySet)
            }
            BulkAction::OpenBind | BulkAction::OpenUnbind => {
                let bound = self
                    .store
                    .open_binding_get(rt.id(), appid)?
                    .map(|b| b.open_appid);
                let target = params.open_appid.as_deref();
                match (action, bound) {
                    (BulkAction::OpenBind, Some(Some(o))) if Some(o.as_str()) == target => {
                        Some(SkipReason::AlreadyBound)
                    }
                    (BulkAction::OpenUnbind, Some(None)) => Some(SkipReason::NotBound),
                    (BulkAction::OpenUnbind, Some(Some(o))) if Some(o.as_str()) != target => {
                        Some(SkipReason::BoundElsewhere)
                    }
                    _ => None,
                }
            }
            _ => None,
        })
    }

    /// Writes job `id`'s result table as CSV (UTF-8 with a BOM for Excel, CRLF): one line per
    /// account with its result, errcode, message and the errcode's explanation. The file
    /// appears whole or not at all. Returns the rows written.
    pub fn bulk_results_csv(&self, rt: &ProfileRt, id: i64, path: &str) -> CoreResult<u64> {
        let job = self.bulk_job(rt, id)?;
        let (path, dir) = target(path)?;
        let temp = tempfile::Builder::new()
            .prefix(".wxopen-bulk-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| CoreError::io(format!("create a file in {}", dir.display()), e))?;
        let mut out = BufWriter::new(
            temp.reopen()
                .map_err(|e| CoreError::io("open the results file", e))?,
        );
        let write = |out: &mut BufWriter<std::fs::File>, s: &str| {
            out.write_all(s.as_bytes())
                .map_err(|e| CoreError::io("write the results file", e))
        };
        write(
            &mut out,
            "\u{feff}job,action,appid,result,errcode,message,explanation_en,explanation_zh,at\r\n",
        )?;
        let (mut after, mut rows) = (-1i64, 0u64);
        loop {
            let page = self.store.bulk_items_page(job.id, after, 2_000)?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            let mut text = String::new();
            for it in &page {
                let explained = it.errcode.map(|c| {
                    wxopen_wechat::errcode::explain(c, it.message.as_deref().unwrap_or(""))
                });
                let fields = [
                    job.id.to_string(),
                    job.action.to_string(),
                    defuse_formula(&it.appid).into_owned(),
                    it.state.to_string(),
                    it.errcode.map(|c| c.to_string()).unwrap_or_default(),
                    defuse_formula(it.message.as_deref().unwrap_or("")).into_owned(),
                    explained.as_ref().map(|x| x.en.clone()).unwrap_or_default(),
                    explained.as_ref().map(|x| x.zh.clone()).unwrap_or_default(),
                    it.at.map(utc_text).unwrap_or_default(),
                ];
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    push_csv_field(&mut text, f);
                }
                text.push_str("\r\n");
                rows += 1;
            }
            write(&mut out, &text)?;
        }
        out.flush()
            .map_err(|e| CoreError::io("write the results file", e))?;
        drop(out);
        temp.persist(&path)
            .map_err(|e| CoreError::io(format!("write {}", path.display()), e.error))?;
        Ok(rows)
    }
}

/// What a job keeps of its selection.
#[derive(Serialize)]
struct SelectionRecord<'a> {
    query: &'a AuthorizerQuery,
    /// Rows picked by hand (their appids are the job's items).
    picked: Option<usize>,
}

fn plan_of(
    action: BulkAction,
    params: BulkParams,
    items: &[(String, Option<SkipReason>)],
) -> BulkPlan {
    let mut by: BTreeMap<&'static str, (SkipReason, u64)> = BTreeMap::new();
    for (_, s) in items {
        if let Some(s) = s {
            by.entry(s.as_str()).or_insert((*s, 0)).1 += 1;
        }
    }
    let skipped: u64 = by.values().map(|(_, n)| n).sum();
    BulkPlan {
        action,
        params,
        total: items.len() as u64,
        will_run: items.len() as u64 - skipped,
        skipped: by
            .into_values()
            .map(|(reason, count)| SkipCount { reason, count })
            .collect(),
        writes: action.writes(),
    }
}

/// Where the window suggests writing job `id`'s results: `<Downloads or home>/bulk-<id>-YYYYMMDD-HHMMSS.csv`.
pub fn suggested_results_path(id: i64, now: i64) -> String {
    let path = super::export::suggested_path(super::export::ExportFormat::Csv, now);
    match path.rsplit_once("authorizers-") {
        Some((dir, stamp)) => format!("{dir}bulk-{id}-{stamp}"),
        None => path,
    }
}
