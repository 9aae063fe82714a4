//! The in-memory search index behind [`Store::search_authorizers`](super::Store::search_authorizers).
//!
//! One [`SearchIndex`] per searched profile: every authorizer's lowercased `search_text` in one
//! arena, its filter columns in compact arrays, and the three sort orders (nick_name, auth_time,
//! appid; ties by appid, which is unique in a profile) as permutations read from SQLite's own
//! indexes, so that the order is exactly SQLite's. A search tests the substring per entry, walks
//! the permutation of the sort order (backwards for `desc`: the keys are unique, so a descending
//! order is the ascending one reversed), counts the matches and keeps the ids of the page; the
//! page's rows are then read from SQLite by rowid.
//!
//! Freshness: a per-profile counter, `authorizer_changes.gen`, moves on in the same transaction
//! as any insert, delete or update of a column the index holds, whichever process writes: the
//! store bumps it ([`bump_generation`](super::tx::bump_generation), once per transaction) for
//! inserts and updates, a trigger for deletes (docs/ARCHITECTURE.md, schema v4, says why no
//! trigger does the rest). A writer outside the store — a hand edit with another SQLite client —
//! must bump the counter itself, or its changes show in searches after the next change through
//! the store. A search reads the counter, builds (or reuses) the index, and reads the page in one
//! read transaction, so all three see the same snapshot. The counter row of a profile is never deleted (so it never goes back to a value
//! a cached index was built at). A stale index built less than [`REBUILD_GAP`] ago is not rebuilt
//! yet (a sync commits page after page): meanwhile searches go to SQL, just as current.
//!
//! Memory: 32 bytes per authorizer plus its search text (≈ 11 MB for 100,000 accounts with
//! Chinese names); at most [`CACHED_PROFILES`] profiles are kept. A profile of
//! [`BACKGROUND_BUILD_ROWS`] or more is indexed on a thread of its own when a search SQL answers
//! cheaply (the table's first page) finds no index: the page does not wait seconds for it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::error::{Ctx, StoreError};
use super::types::{AuthorizerQuery, Kind, Sort, Status};

/// Profiles whose index is kept (the app searches one profile at a time).
pub const CACHED_PROFILES: usize = 4;

/// Filter values: 0 is "NULL or anything a filter never equals".
const KIND_OA: u8 = 1;
const KIND_MP: u8 = 2;
const OPEN_FALSE: u8 = 1;
const OPEN_TRUE: u8 = 2;

/// [`Filters::verify_type`] of a row whose `verify_type` is NULL or not an integer (a filter
/// never equals it).
const NO_VERIFY: i32 = i32::MIN;

/// The filter columns of one authorizer: 8 bytes (a million rows hold 8 MB of them).
#[derive(Debug, Clone, Copy)]
struct Filters {
    /// `verify_type` when it is an integer, else [`NO_VERIFY`]. WeChat's are -1..=5; a row
    /// outside `i32` (no writer of ours stores one) makes the profile searched in SQL.
    verify_type: i32,
    kind: u8,
    /// 1 + the index of the status in [`Status::ALL`]; 0 for anything else.
    status: u8,
    has_open: u8,
}

/// The index of one profile at one `authorizer_changes.gen`.
#[derive(Debug)]
pub struct SearchIndex {
    /// Row ids, ascending; entry `i` is `ids[i]`.
    ids: Vec<i64>,
    /// Concatenated search texts; entry `i` is `text[starts[i]..starts[i + 1]]`.
    text: String,
    starts: Vec<u32>,
    filters: Vec<Filters>,
    by_nick: Vec<u32>,
    by_auth_time: Vec<u32>,
    by_appid: Vec<u32>,
}

/// What a search found: the total and the ids of the page, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexHits {
    pub total: u64,
    pub ids: Vec<i64>,
}

fn kind_code(v: ValueRef<'_>) -> u8 {
    match v {
        ValueRef::Text(t) if t == Kind::OfficialAccount.as_str().as_bytes() => KIND_OA,
        ValueRef::Text(t) if t == Kind::MiniProgram.as_str().as_bytes() => KIND_MP,
        _ => 0,
    }
}

fn status_code(v: ValueRef<'_>) -> u8 {
    match v {
        ValueRef::Text(t) => Status::ALL
            .iter()
            .position(|s| s.as_str().as_bytes() == t)
            .map_or(0, |i| i as u8 + 1),
        _ => 0,
    }
}

fn status_wanted(s: Status) -> u8 {
    Status::ALL
        .iter()
        .position(|x| *x == s)
        .map_or(0, |i| i as u8 + 1)
}

fn open_code(v: ValueRef<'_>) -> u8 {
    match v {
        ValueRef::Integer(0) => OPEN_FALSE,
        ValueRef::Integer(1) => OPEN_TRUE,
        _ => 0,
    }
}

impl SearchIndex {
    /// Reads the index of `profile_id` (call inside the read transaction of the search).
    /// `None` when a row holds something the index cannot mirror exactly (a search text that is
    /// not UTF-8 text): the caller then searches in SQL.
    pub fn build(c: &Connection, profile_id: i64) -> Result<Option<SearchIndex>, StoreError> {
        let ctx = "build search index";
        let mut rows: Vec<(i64, u32, u32, Filters)> = Vec::new();
        let mut text = String::new();
        {
            // The covering index `authorizers_filter` holds every column read here.
            let mut s = c
                .prepare_cached(
                    "SELECT id, search_text, kind, status, verify_type, has_open
                     FROM authorizers WHERE profile_id = ?1",
                )
                .ctx(ctx)?;
            let mut q = s.query([profile_id]).ctx(ctx)?;
            while let Some(r) = q.next().ctx(ctx)? {
                let id: i64 = r.get(0).ctx(ctx)?;
                let ValueRef::Text(t) = r.get_ref(1).ctx(ctx)? else {
                    return Ok(None);
                };
                let Ok(t) = std::str::from_utf8(t) else {
                    return Ok(None);
                };
                let start = text.len();
                text.push_str(t);
                if text.len() > u32::MAX as usize {
                    return Ok(None);
                }
                let verify_type = match r.get_ref(4).ctx(ctx)? {
                    ValueRef::Integer(i) => match i32::try_from(i) {
                        Ok(v) if v != NO_VERIFY => v,
                        _ => return Ok(None),
                    },
                    _ => NO_VERIFY,
                };
                let filters = Filters {
                    kind: kind_code(r.get_ref(2).ctx(ctx)?),
                    status: status_code(r.get_ref(3).ctx(ctx)?),
                    verify_type,
                    has_open: open_code(r.get_ref(5).ctx(ctx)?),
                };
                rows.push((id, start as u32, text.len() as u32, filters));
            }
        }
        // Entries in id order (so that an id is found by binary search), text copied in that
        // order too: neighbouring entries are neighbours in memory.
        rows.sort_unstable_by_key(|r| r.0);
        let n = rows.len();
        let mut ids = Vec::with_capacity(n);
        let mut starts = Vec::with_capacity(n + 1);
        let mut filters = Vec::with_capacity(n);
        let mut arena = String::with_capacity(text.len());
        starts.push(0u32);
        for (id, s, e, f) in &rows {
            ids.push(*id);
            arena.push_str(&text[*s as usize..*e as usize]);
            starts.push(arena.len() as u32);
            filters.push(*f);
        }
        drop(rows);
        drop(text);
        let order = |order_by: &str| -> Result<Option<Vec<u32>>, StoreError> {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT id FROM authorizers WHERE profile_id = ?1 ORDER BY {order_by}"
                ))
                .ctx(ctx)?;
            let mut q = s.query([profile_id]).ctx(ctx)?;
            let mut perm = Vec::with_capacity(n);
            while let Some(r) = q.next().ctx(ctx)? {
                let id: i64 = r.get(0).ctx(ctx)?;
                match ids.binary_search(&id) {
                    Ok(i) => perm.push(i as u32),
                    Err(_) => return Ok(None),
                }
            }
            Ok((perm.len() == n).then_some(perm))
        };
        // The ORDER BY clauses of the SQL search, ascending (see `Store::search_authorizers`).
        let (Some(by_nick), Some(by_auth_time), Some(by_appid)) = (
            order("nick_name ASC, appid ASC")?,
            order("auth_time ASC, appid ASC")?,
            order("appid ASC")?,
        ) else {
            return Ok(None);
        };
        Ok(Some(SearchIndex {
            ids,
            text: arena,
            starts,
            filters,
            by_nick,
            by_auth_time,
            by_appid,
        }))
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Heap bytes held (about).
    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity() * 8
            + self.text.capacity()
            + self.starts.capacity() * 4
            + self.filters.capacity() * std::mem::size_of::<Filters>()
            + (self.by_nick.capacity() + self.by_auth_time.capacity() + self.by_appid.capacity())
                * 4
    }

    /// The total of a search and the ids of its page (`needle`: the lowercased query, see
    /// `search_needle`; `limit` already capped).
    pub fn search(&self, needle: Option<&str>, q: &AuthorizerQuery, limit: u32) -> IndexHits {
        let n = self.ids.len();
        let perm = match q.sort {
            Sort::NickName => &self.by_nick,
            Sort::AuthTime => &self.by_auth_time,
            Sort::Appid => &self.by_appid,
        };
        let offset = q.offset as usize;
        let limit = limit as usize;
        let kind = q.kind.map(|k| match k {
            Kind::OfficialAccount => KIND_OA,
            Kind::MiniProgram => KIND_MP,
        });
        let status = q.status.map(status_wanted);
        let open = q.has_open.map(|h| if h { OPEN_TRUE } else { OPEN_FALSE });
        // `Some(None)`: a value no row holds (outside i32), so nothing matches.
        let verify = q
            .verify_type
            .map(|v| i32::try_from(v).ok().filter(|v| *v != NO_VERIFY));
        let filtered = kind.is_some() || status.is_some() || open.is_some() || verify.is_some();
        if needle.is_none() && !filtered {
            let ids = page_of(perm.iter(), q.desc, offset, limit, n)
                .map(|e| self.ids[e as usize])
                .collect();
            return IndexHits {
                total: n as u64,
                ids,
            };
        }
        let passes = |f: &Filters| {
            !(kind.is_some_and(|k| f.kind != k)
                || status.is_some_and(|s| f.status != s)
                || open.is_some_and(|o| f.has_open != o)
                || verify.is_some_and(|v| v != Some(f.verify_type)))
        };
        // Entries containing the needle, then those of them passing the filters.
        let mut hit = match needle {
            Some(needle) => self.containing(needle),
            None => vec![true; n],
        };
        let mut total = 0usize;
        for (h, f) in hit.iter_mut().zip(&self.filters) {
            *h = *h && passes(f);
            total += usize::from(*h);
        }
        let ids = if offset >= total || limit == 0 {
            Vec::new()
        } else {
            let matches = perm.iter().copied().filter(|&e| hit[e as usize]);
            let take = limit.min(total - offset);
            if q.desc {
                matches
                    .rev()
                    .skip(offset)
                    .take(take)
                    .map(|e| self.ids[e as usize])
                    .collect()
            } else {
                matches
                    .skip(offset)
                    .take(take)
                    .map(|e| self.ids[e as usize])
                    .collect()
            }
        };
        IndexHits {
            total: total as u64,
            ids,
        }
    }
}

/// From this many entries a text search scans the arena on several threads (a million texts are
/// ≈ 100 MB: one core reads them in 30–50 ms). Low, so that the tests' few hundred rows take the
/// same path; a thread costs tens of microseconds.
const PARALLEL_FROM: usize = 256;

/// Threads of a parallel scan: the CPUs this process may use, at most 4.
fn scan_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |p| p.get().min(4)))
}

impl SearchIndex {
    /// Which entries contain `needle`: the arena split into a few runs of whole entries, each
    /// scanned on a thread of its own when the index is large.
    fn containing(&self, needle: &str) -> Vec<bool> {
        let n = self.ids.len();
        let mut hit = vec![false; n];
        let parts = if n >= PARALLEL_FROM {
            scan_threads()
        } else {
            1
        };
        if parts <= 1 {
            self.scan(needle, 0, &mut hit);
            return hit;
        }
        let chunk = n.div_ceil(parts);
        std::thread::scope(|s| {
            for (k, hits) in hit.chunks_mut(chunk).enumerate() {
                s.spawn(move || self.scan(needle, k * chunk, hits));
            }
        });
        hit
    }

    /// Marks in `hits` the entries `first..first + hits.len()` whose text contains `needle`:
    /// one pass of a SIMD substring search over their part of the arena (a search per entry
    /// paid its setup a million times). A match that runs from one entry into the next counts
    /// for neither.
    fn scan(&self, needle: &str, first: usize, hits: &mut [bool]) {
        let begin = self.starts[first] as usize;
        let end = self.starts[first + hits.len()] as usize;
        let text = &self.text.as_bytes()[begin..end];
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let len = needle.len();
        let (mut pos, mut entry) = (0usize, first);
        while let Some(found) = finder.find(&text[pos..]) {
            let at = begin + pos + found;
            // The entry holding `at`: matches come in order, so this is one walk over `starts`.
            while self.starts[entry + 1] as usize <= at {
                entry += 1;
            }
            let entry_end = self.starts[entry + 1] as usize;
            if at + len <= entry_end {
                hits[entry - first] = true;
                pos = entry_end - begin;
            } else {
                pos = at - begin + 1;
            }
            if pos >= text.len() {
                break;
            }
        }
    }
}

fn page_of<'a>(
    perm: std::slice::Iter<'a, u32>,
    desc: bool,
    offset: usize,
    limit: usize,
    n: usize,
) -> Box<dyn Iterator<Item = u32> + 'a> {
    let take = if offset >= n {
        0
    } else {
        limit.min(n - offset)
    };
    if desc {
        Box::new(perm.rev().skip(offset).take(take).copied())
    } else {
        Box::new(perm.skip(offset).take(take).copied())
    }
}

pub use super::tx::generation;

/// The indexes of the recently searched profiles, each with the generation it was built at
/// (`None`: the profile's rows cannot be indexed, search in SQL) and when.
#[derive(Debug)]
pub struct SearchCache {
    entries: Mutex<HashMap<i64, Cached>>,
    /// A stale index built less than this long ago is not rebuilt yet: the search goes to SQL.
    rebuild_gap: Mutex<Duration>,
    /// Profiles whose index is being built in the background (see [`BACKGROUND_BUILD_ROWS`]),
    /// and the signal that one of those builds ended.
    building: Mutex<HashSet<i64>>,
    built: Condvar,
    /// [`BACKGROUND_BUILD_ROWS`] (tests lower it).
    background_rows: AtomicI64,
}

/// From this many rows of a profile, a search that SQL answers from an index walk (no text, no
/// filter: the table's first page at startup) does not wait for the in-memory index: SQL answers
/// it and the index is built on a thread of its own (≈ 2 s for a million rows), which a filtered
/// search then waits for. Below it the index is built at once, as it is quick.
pub const BACKGROUND_BUILD_ROWS: i64 = 200_000;

/// A generation, the index built at it, and when it was built.
type Cached = (i64, Option<Arc<SearchIndex>>, Instant);

/// See [`SearchCache::rebuild_gap`]: while a sync writes page after page, a table refreshed on
/// every progress event must not pay a rebuild (≈ 0.2 s for 100,000 rows) each time.
pub const REBUILD_GAP: Duration = Duration::from_secs(1);

impl Default for SearchCache {
    fn default() -> Self {
        SearchCache {
            entries: Mutex::default(),
            rebuild_gap: Mutex::new(REBUILD_GAP),
            building: Mutex::default(),
            built: Condvar::new(),
            background_rows: AtomicI64::new(BACKGROUND_BUILD_ROWS),
        }
    }
}

/// What the cache says about a profile at a generation.
pub enum Lookup {
    /// Current: search it (`None`: search in SQL).
    Current(Option<Arc<SearchIndex>>),
    /// Missing or stale: build it.
    Build,
    /// Stale but rebuilt a moment ago: search in SQL this time.
    Sql,
}

impl SearchCache {
    pub fn get(&self, profile_id: i64, gen: i64) -> Lookup {
        let gap = *self.rebuild_gap.lock().unwrap_or_else(|p| p.into_inner());
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(&profile_id) {
            Some((g, idx, _)) if *g == gen => Lookup::Current(idx.clone()),
            Some((_, _, built)) if built.elapsed() < gap => Lookup::Sql,
            _ => Lookup::Build,
        }
    }

    pub fn put(&self, profile_id: i64, gen: i64, idx: Option<Arc<SearchIndex>>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if !entries.contains_key(&profile_id) && entries.len() >= CACHED_PROFILES {
            if let Some(k) = entries.keys().next().copied() {
                entries.remove(&k);
            }
        }
        entries.insert(profile_id, (gen, idx, Instant::now()));
    }

    pub fn background_rows(&self) -> i64 {
        self.background_rows.load(Ordering::Relaxed)
    }

    pub fn set_background_rows(&self, rows: i64) {
        self.background_rows.store(rows.max(1), Ordering::Relaxed);
    }

    /// Marks a background build of `profile_id` as started: `false` when one runs already.
    pub fn begin_build(&self, profile_id: i64) -> bool {
        let mut building = self.building.lock().unwrap_or_else(|p| p.into_inner());
        building.insert(profile_id)
    }

    /// Ends a background build (whether it succeeded or not) and wakes its waiters.
    pub fn end_build(&self, profile_id: i64) {
        let mut building = self.building.lock().unwrap_or_else(|p| p.into_inner());
        building.remove(&profile_id);
        self.built.notify_all();
    }

    /// Returns once no background build of `profile_id` runs.
    pub fn wait_build(&self, profile_id: i64) {
        let mut building = self.building.lock().unwrap_or_else(|p| p.into_inner());
        while building.contains(&profile_id) {
            building = self.built.wait(building).unwrap_or_else(|p| p.into_inner());
        }
    }

    pub fn set_rebuild_gap(&self, gap: Duration) {
        *self.rebuild_gap.lock().unwrap_or_else(|p| p.into_inner()) = gap;
    }

    /// Heap bytes of the cached index of a profile (diagnostics, the benchmark).
    pub fn heap_bytes(&self, profile_id: i64) -> Option<usize> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&profile_id)
            .and_then(|(_, idx, _)| idx.as_ref().map(|i| i.heap_bytes()))
    }
}
