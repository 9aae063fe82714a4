//! Open-platform accounts and the binding rules of `/cgi-bin/open/*` (reference §1.10, §6):
//! 89000 already bound · 89001 not the same principal ("not same contractor") · 89002 no open
//! account bound · 89003 open account not created through the API (only those can be unbound by
//! API) · 89004 the open account already has 100 bound accounts.
//!
//! Seeding: each company principal has one API-created open account and one created on
//! open.weixin.qq.com (not API); about a quarter of its authorizers are bound to the first and a
//! tenth to the second. Principal 0 also owns a "full" API-created open account with 100 accounts
//! bound from outside this platform, to reach 89004. Personal accounts are never bound.

use std::collections::HashMap;

use serde::Serialize;

use super::seed::{self, PERSONAL, PRINCIPALS};

/// The binding limit of one open account.
pub const MAX_BOUND: usize = 100;

#[derive(Debug, Clone)]
pub struct OpenAccount {
    pub principal: u16,
    pub by_api: bool,
    /// Accounts bound from outside this platform (count only).
    pub external: usize,
    /// This platform's authorizers bound to it (count only: who is bound is
    /// [`OpenAccounts::of`]).
    pub members: usize,
}

impl OpenAccount {
    pub fn bound_count(&self) -> usize {
        self.external + self.members
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenAccountView {
    pub open_appid: String,
    pub principal_name: String,
    pub created_by_api: bool,
    pub bound_count: usize,
}

/// The open accounts and who is bound to which. A seeded authorizer's binding is computed from
/// the seed ([`seeded_binding`]); only bindings changed through the API are kept, so a
/// simulator of a million accounts holds a map of its changes, not of a third of a million
/// bindings.
#[derive(Debug, Default)]
pub struct OpenAccounts {
    pub accounts: HashMap<String, OpenAccount>,
    seed: u64,
    seeded: u32,
    /// Bindings that differ from the seeded one (`None`: unbound).
    changed: HashMap<u32, Option<String>>,
    created: u64,
}

fn open_appid(seed: u64, principal: u16, slot: u64) -> String {
    let mut r = seed::Rng::new(seed, u64::from(principal), 0x0BE7 ^ (slot << 20));
    format!("wx{}", r.hex(16))
}

/// The seeded binding of authorizer `index`: (principal, slot of its open account).
fn seeded_slot(seed: u64, index: u32) -> Option<(u16, u64)> {
    let p = seed::principal_of(seed, index);
    if p == PERSONAL {
        return None;
    }
    match seed::open_draw(seed, index) {
        0..=24 => Some((p, 1)),
        25..=34 => Some((p, 2)),
        _ => None,
    }
}

impl OpenAccounts {
    pub fn seed(seed: u64, authorizers: u32) -> Self {
        let mut me = OpenAccounts {
            seed,
            seeded: authorizers,
            ..OpenAccounts::default()
        };
        for p in 0..PERSONAL {
            for (slot, by_api) in [(1, true), (2, false)] {
                me.accounts.insert(
                    open_appid(seed, p, slot),
                    OpenAccount {
                        principal: p,
                        by_api,
                        external: 0,
                        members: 0,
                    },
                );
            }
        }
        me.accounts.insert(
            open_appid(seed, 0, 3),
            OpenAccount {
                principal: 0,
                by_api: true,
                external: MAX_BOUND,
                members: 0,
            },
        );
        // Counts only: a pass over the seed, no per-account entry.
        let mut members = [[0usize; 2]; PERSONAL as usize];
        for i in 0..authorizers {
            if let Some((p, slot)) = seeded_slot(seed, i) {
                members[usize::from(p)][(slot - 1) as usize] += 1;
            }
        }
        for (p, counts) in members.iter().enumerate() {
            for (k, count) in counts.iter().enumerate() {
                let id = open_appid(seed, p as u16, k as u64 + 1);
                me.accounts.get_mut(&id).expect("seeded").members = *count;
            }
        }
        me
    }

    /// The open account authorizer `index` is bound to.
    pub fn of(&self, index: u32) -> Option<String> {
        match self.changed.get(&index) {
            Some(bound) => bound.clone(),
            None if index < self.seeded => {
                seeded_slot(self.seed, index).map(|(p, slot)| open_appid(self.seed, p, slot))
            }
            None => None,
        }
    }

    /// A new API-created open account for `principal`, with `index` bound to it.
    pub fn create(&mut self, seed: u64, principal: u16, index: u32) -> String {
        self.unbind(index);
        self.created += 1;
        let id = open_appid(seed, principal, 100 + self.created);
        self.accounts.insert(
            id.clone(),
            OpenAccount {
                principal,
                by_api: true,
                external: 0,
                members: 1,
            },
        );
        self.changed.insert(index, Some(id.clone()));
        id
    }

    pub fn bind(&mut self, index: u32, open_appid: &str) {
        if !self.accounts.contains_key(open_appid) {
            return;
        }
        self.unbind(index);
        if let Some(acc) = self.accounts.get_mut(open_appid) {
            acc.members += 1;
            self.changed.insert(index, Some(open_appid.to_owned()));
        }
    }

    pub fn unbind(&mut self, index: u32) {
        if let Some(id) = self.of(index) {
            if let Some(acc) = self.accounts.get_mut(&id) {
                acc.members = acc.members.saturating_sub(1);
            }
            self.changed.insert(index, None);
        }
    }

    pub fn views(&self) -> Vec<OpenAccountView> {
        let mut v: Vec<_> = self
            .accounts
            .iter()
            .map(|(id, a)| OpenAccountView {
                open_appid: id.clone(),
                principal_name: PRINCIPALS[usize::from(a.principal)].to_owned(),
                created_by_api: a.by_api,
                bound_count: a.bound_count(),
            })
            .collect();
        v.sort_by(|a, b| a.open_appid.cmp(&b.open_appid));
        v
    }
}
