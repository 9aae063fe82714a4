//! The local cache: one SQLite file `<data_dir>/wxopen.sqlite3` (mode 0600, WAL, foreign keys on,
//! `busy_timeout` 5 s, `synchronous=NORMAL` but FULL for refresh tokens, `secure_delete`), schema in [`migrations`] (`PRAGMA user_version`).
//!
//! `store/` never calls the network and knows nothing of HTTP. Secrets (appsecret, message token,
//! EncodingAESKey) are never stored here: they live in the keychain (`crate::secrets`). Tokens and
//! tickets are stored and come back wrapped in [`Sensitive`].
//!
//! [`Store`] is `Clone + Send + Sync`: one write connection and one read connection behind
//! mutexes; every method is a short synchronous call (use `spawn_blocking` for big batches from
//! async code). All times are Unix seconds (UTC).
//!
//! # API, by table family
//! - open: [`Store::open`]`(data_dir)`, [`Store::open_in_memory`](), [`Store::open_file`]`(path)`,
//!   [`Store::path`], [`Store::schema_version`], [`Store::integrity_check`].
//! - profiles ([`profiles`]): `profile_insert(&NewProfile) -> ProfileRow`, `profiles_list()`,
//!   `profile_get(id)`, `profile_by_name(name)`, `profile_by_appid(appid)`,
//!   `profile_update(id, &ProfileUpdate) -> ProfileRow`, `profile_delete(id) -> bool` (cascades),
//!   `selected_profile() -> Option<ProfileRow>`, `select_profile(Option<id>)`,
//!   `setting_get(key)`, `setting_set(key, value)`, `setting_delete(key)`.
//! - tickets ([`tickets`]): `ticket_insert(profile_id, ticket, received_at, TicketSource)` (keeps
//!   the last [`tickets::TICKETS_KEPT`]), `latest_ticket(profile_id) -> Option<TicketRow>`,
//!   `tickets_list(profile_id)`.
//! - tokens ([`tokens`]): `component_token_get/put/clear`, `authorizer_token_get(profile_id, appid)`,
//!   `authorizer_token_put_access(profile_id, appid, access_token, expires_at, refresh_token)`,
//!   `authorizer_token_put_refresh(profile_id, appid, refresh_token)`,
//!   `authorizer_token_clear_access(profile_id, appid)`,
//!   `authorizer_tokens_clear_access_all(profile_id)`.
//! - authorizers ([`authorizers`]): `upsert_listed_authorizers(profile_id, sync_id, &[ListedAuthorizer])`
//!   (one transaction per 500 rows; never replaces a refresh token with an empty one),
//!   `record_list_page(profile_id, sync_id, &[ListedAuthorizer], total_count, next_offset)`
//!   (upsert + sync progress in one transaction), `save_authorizer_info(profile_id, appid, sync_id,
//!   &AuthorizerInfoRecord)`, `save_authorizer_infos(profile_id, sync_id, &[(appid, AuthorizerInfoRecord)])`
//!   (batch: one transaction; use it from a details sync), `mark_details_failed(profile_id, appid, sync_id, error)`,
//!   `set_authorizer_status(profile_id, appid, Status)`, `mark_unseen_revoked(profile_id, sync_id)
//!   -> usize`, `search_authorizers(profile_id, &AuthorizerQuery) -> AuthorizerPage` (from an
//!   in-memory index per profile, [`search_index`], kept current through the
//!   `authorizer_changes` counter of schema v3),
//!   `authorizer_get(profile_id, appid) -> Option<AuthorizerDetail>`,
//!   `appids_needing_details(profile_id, sync_id, limit)`,
//!   `needing_details_after(profile_id, sync_id, stale_before, after_id, limit)`,
//!   `count_needing_details(profile_id, sync_id, stale_before)`, `mark_details_stale(profile_id, appid)`,
//!   `authorizers_missing_refresh_token(profile_id)`, `authorizer_counts(profile_id)`,
//!   `permissions_list(profile_id, appid)`.
//! - change log ([`change_log`], schema v8): written by the sync's own writes above;
//!   `changes_list(profile_id, &ChangeQuery) -> ChangePage`, `changes_by_sync(profile_id, limit)`
//!   (recent runs with counts per kind).
//! - export ([`authorizers_export`]): `authorizer_ids_matching(profile_id, &AuthorizerQuery)`
//!   (every match, in the query's order), `export_rows(profile_id, &[id])` (rows + permissions).
//! - bulk jobs ([`bulk_jobs`], schema v8): `bulk_job_create(&NewBulkJob)`, `bulk_job_get(id)`,
//!   `bulk_jobs_list(profile_id, limit)`, `bulk_job_claim(id, owner, now, stale_secs, owner_gone)`,
//!   `bulk_job_state(id)`, `bulk_items_pending(job_id, after_seq, limit)`,
//!   `bulk_item_finish(job_id, seq, &BulkItemRow, owner)`, `bulk_job_set_state(…)`,
//!   `bulk_items_page(job_id, after_seq, limit)`.
//! - sync runs ([`sync_runs`]): `sync_run_start(profile_id, with_details)`, `sync_run_get(id)`,
//!   `sync_run_latest(profile_id)`, `sync_run_resumable(profile_id)`, `sync_run_list_done(id)`,
//!   `sync_run_set_details_total(id, n)`, `sync_run_add_details(id, done, errors, last_error)`,
//!   `sync_run_finish(id, SyncState, last_error)`, `sync_run_resume(id)`; the lease (schema v5):
//!   `sync_run_claim(profile_id, with_details, restart, LeaseRequest, owner_gone)`,
//!   `sync_run_check_lease(…)`, `sync_run_heartbeat(id, LeaseRequest)`,
//!   `sync_run_finish_owned(id, owner, SyncState, last_error)`, `sync_run_lease(id)`.
//! - pre-auth codes ([`pre_auth_codes`]): `pre_auth_code_insert(&NewPreAuthCode) -> PreAuthCodeRow`,
//!   `pre_auth_codes_list(profile_id, limit)`, `pre_auth_code_mark_used(profile_id, code) -> bool`.
//! - options ([`options`]): `option_get(profile_id, appid, name)`, `option_put(...)`,
//!   `options_list(profile_id, appid)`.
//! - open bindings ([`open_bindings`]): `open_binding_get/put/clear` (also keep
//!   `authorizers.has_open` in step).
//! - messages ([`messages`]): `message_insert(&NewMessage) -> i64`, `messages_list(profile_id, &MessageQuery)`,
//!   `messages_prune_batch(before, limit)`.
//! - audit ([`audit`]): `audit_insert(&NewAudit) -> i64`, `audit_list(&AuditQuery) -> AuditPage`,
//!   `audit_prune(before)`, `audit_prune_batch(before, limit)`, `audit_find_rid(profile_id, rid)`
//!   (a failed call's rid and token kind live in its `detail` JSON),
//!   `quota_reset_insert(profile_id, at, appid)`, `quota_resets_count_this_month(profile_id, now)`
//!   (the platform's own), `quota_resets_count(profile_id, appid, now)` (one authorizer's).

pub mod audit;
pub mod authorizers;
pub mod authorizers_export;
pub mod bulk_jobs;
pub mod change_log;
pub mod db;
pub mod error;
pub mod messages;
pub mod migrations;
pub mod open_bindings;
pub mod options;
pub mod permissions;
pub mod pre_auth_codes;
pub mod profiles;
pub mod search_index;
pub mod sync_runs;
pub mod text_enum;
pub mod tickets;
pub mod tokens;
pub mod tx;
pub mod types;

pub use crate::paths::DB_FILE;
pub use crate::secrets::Sensitive;
pub use audit::{AuditEntry, AuditPage, AuditQuery, ErrcodeCount, NewAudit};
pub use authorizers::{
    AuthorizerCounts, AuthorizerDetail, AuthorizerInfoRecord, AuthorizerPage, AuthorizerRow,
    ListedAuthorizer, UpsertSummary,
};
pub use change_log::{ChangeCounts, ChangeKind, ChangePage, ChangeQuery, ChangeRow, SyncChanges};
pub use db::{Store, BUSY_TIMEOUT};
pub use error::StoreError;
pub use messages::{MessagePage, MessageQuery, MessageRow, MessageStatus, NewMessage};
pub use open_bindings::OpenBindingRow;
pub use options::OptionRow;
pub use pre_auth_codes::{NewPreAuthCode, PreAuthCodeRow};
pub use profiles::{NewProfile, OptionApi, ProfileRow, ProfileUpdate, TokenSourceKind};
pub use sync_runs::{SyncRunRow, SyncState};
pub use tickets::{TicketRow, TicketSource};
pub use tokens::{AuthorizerTokenRow, ComponentTokenRow};
pub use types::{AuthorizerQuery, Kind, Permission, Sort, Status};
