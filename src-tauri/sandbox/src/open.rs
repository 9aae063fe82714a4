//! Open-platform accounts and the binding rules of `/cgi-bin/open/*` (reference §1.10, §6):
//! 89000 already bound · 89001 not the same principal ("not same contractor") · 89002 no open
//! account bound · 89003 open account not created through the API (only those can be unbound by
//! API) · 89004 the open account already has 100 bound accounts.
//!
//! Seeding: each company principal has one API-created open account and one created on
//! open.weixin.qq.com (not API); about a quarter of its authorizers are bound to the first and a
//! tenth to the second. Principal 0 also owns a "full" API-created open account with 100 accounts
//! bound from outside this platform, to reach 89004. Personal accounts are never bound.

use std::collections::{BTreeSet, HashMap};

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
    pub members: BTreeSet<u32>,
}

impl OpenAccount {
    pub fn bound_count(&self) -> usize {
        self.external + self.members.len()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenAccountView {
    pub open_appid: String,
    pub principal_name: String,
    pub created_by_api: bool,
    pub bound_count: usize,
}

#[derive(Debug, Default)]
pub struct OpenAccounts {
    pub accounts: HashMap<String, OpenAccount>,
    pub bound: HashMap<u32, String>,
    created: u64,
}

fn open_appid(seed: u64, principal: u16, slot: u64) -> String {
    let mut r = seed::Rng::new(seed, u64::from(principal), 0x0BE7 ^ (slot << 20));
    format!("wx{}", r.hex(16))
}

impl OpenAccounts {
    pub fn seed(seed: u64, authorizers: u32) -> Self {
        let mut me = OpenAccounts::default();
        for p in 0..PERSONAL {
            for (slot, by_api) in [(1, true), (2, false)] {
                me.accounts.insert(
                    open_appid(seed, p, slot),
                    OpenAccount {
                        principal: p,
                        by_api,
                        external: 0,
                        members: BTreeSet::new(),
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
                members: BTreeSet::new(),
            },
        );
        for i in 0..authorizers {
            let p = seed::principal_of(seed, i);
            if p == PERSONAL {
                continue;
            }
            let slot = match seed::open_draw(seed, i) {
                0..=24 => 1,
                25..=34 => 2,
                _ => continue,
            };
            let id = open_appid(seed, p, slot);
            me.accounts.get_mut(&id).expect("seeded").members.insert(i);
            me.bound.insert(i, id);
        }
        me
    }

    pub fn of(&self, index: u32) -> Option<&String> {
        self.bound.get(&index)
    }

    /// A new API-created open account for `principal`, with `index` bound to it.
    pub fn create(&mut self, seed: u64, principal: u16, index: u32) -> String {
        self.created += 1;
        let id = open_appid(seed, principal, 100 + self.created);
        let members = BTreeSet::from([index]);
        self.accounts.insert(
            id.clone(),
            OpenAccount {
                principal,
                by_api: true,
                external: 0,
                members,
            },
        );
        self.bound.insert(index, id.clone());
        id
    }

    pub fn bind(&mut self, index: u32, open_appid: &str) {
        if let Some(acc) = self.accounts.get_mut(open_appid) {
            acc.members.insert(index);
            self.bound.insert(index, open_appid.to_owned());
        }
    }

    pub fn unbind(&mut self, index: u32) {
        if let Some(id) = self.bound.remove(&index) {
            if let Some(acc) = self.accounts.get_mut(&id) {
                acc.members.remove(&index);
            }
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
