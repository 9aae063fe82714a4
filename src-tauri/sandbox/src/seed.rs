//! Deterministic seed data: authorizer `i` of a sandbox seeded with `seed` is a pure function of
//! `(seed, i)`, so a million authorizers cost no memory until one is changed (the state keeps only
//! the changes; open-account bindings too, see `open.rs`). Appids are a keyed 64-bit Feistel
//! permutation of the index, which makes appid → index a computation instead of a map.
//!
//! Field shapes and enumerations follow `wechat-component-reference.md` §8 (api_get_authorizer_info:
//! service_type_info / verify_type_info ids, business_info 0/1 flags, account_status,
//! MiniProgramInfo {network, categories, visit_status}) and §7 (funcscope_category ids).

use serde_json::{json, Value};

/// splitmix64: small, fast, good enough for seed data.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A tiny deterministic generator for one record.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, index: u64, salt: u64) -> Self {
        Rng(mix(seed ^ mix(index ^ mix(salt))))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
    pub fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s.truncate(len);
        s
    }
}

fn feistel_round(seed: u64, round: u64, half: u32) -> u32 {
    (mix(seed ^ (round << 40) ^ u64::from(half)) >> 16) as u32
}

/// Appid of authorizer `index`: `wx` + 16 lowercase hex digits.
pub fn appid_of(seed: u64, index: u32) -> String {
    let (mut l, mut r) = (0x5A5A_0000u32, index);
    for round in 0..4 {
        let next = l ^ feistel_round(seed, round, r);
        l = r;
        r = next;
    }
    format!("wx{:08x}{:08x}", l, r)
}

/// Inverse of [`appid_of`]: the index, if `appid` is one of this seed's appids.
pub fn index_of(seed: u64, appid: &str) -> Option<u32> {
    let hex = appid.strip_prefix("wx")?;
    if hex.len() != 16
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let v = u64::from_str_radix(hex, 16).ok()?;
    let (mut l, mut r) = ((v >> 32) as u32, v as u32);
    for round in (0..4).rev() {
        let prev_r = l;
        let prev_l = r ^ feistel_round(seed, round, prev_r);
        l = prev_l;
        r = prev_r;
    }
    (l == 0x5A5A_0000).then_some(r)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OfficialAccount,
    MiniProgram,
}

/// The subjects ("principals") accounts belong to. Open-platform binding requires the same one.
pub const PRINCIPALS: &[&str] = &[
    "深圳市腾云科技有限公司",
    "广州市星河网络科技有限公司",
    "杭州青禾信息技术有限公司",
    "北京晨光文化传媒有限公司",
    "上海浦江餐饮管理有限公司",
    "成都天府智慧城市科技有限公司",
    "武汉东湖教育咨询有限公司",
    "深圳市前海微联科技有限公司",
    "个人",
];
/// Index of "个人" in [`PRINCIPALS`].
pub const PERSONAL: u16 = 8;

const CITY: &[&str] = &[
    "深圳", "广州", "杭州", "北京", "上海", "成都", "武汉", "南京", "西安", "苏州", "长沙", "厦门",
    "青岛", "重庆", "天津", "昆明",
];
const CORE: &[&str] = &[
    "智慧", "悦享", "优选", "乐活", "星河", "青禾", "晨光", "云上", "鲜果", "书香", "匠心", "小鹿",
    "暖阳", "微光", "好物", "知行", "拾光", "味道", "旅途", "健康",
];
const TOPIC: &[&str] = &[
    "生活", "餐饮", "教育", "出行", "社区", "商城", "健身", "读书", "亲子", "家居", "美食", "科技",
    "文旅", "医疗", "宠物", "咖啡",
];
const OA_SUFFIX: &[&str] = &[
    "服务号",
    "订阅号",
    "资讯",
    "周刊",
    "日报",
    "频道",
    "服务中心",
    "",
];
const MP_SUFFIX: &[&str] = &[
    "小程序",
    "助手",
    "商城",
    "预约",
    "点餐",
    "工具箱",
    "会员",
    "打卡",
];
const MP_CATEGORIES: &[(&str, &str)] = &[
    ("工具", "效率"),
    ("工具", "办公"),
    ("生活服务", "家政"),
    ("餐饮", "点评与推荐"),
    ("教育", "在线教育"),
    ("商家自营", "食品"),
    ("旅游", "景区服务"),
    ("医疗", "健康管理"),
    ("社交", "社区/论坛"),
];

pub const OA_BASE_FUNCS: &[u32] = &[1, 2, 3, 4, 7, 11, 15];
pub const OA_EXTRA_FUNCS: &[u32] = &[5, 6, 8, 9, 10, 12, 13, 22, 23, 26, 27, 33, 54, 89];
pub const MP_BASE_FUNCS: &[u32] = &[17, 18, 19, 30];
pub const MP_EXTRA_FUNCS: &[u32] = &[31, 36, 37, 40, 41, 45, 49, 52, 65, 70, 88, 142];
/// Ids our permission table does not know (the console must show them as "#N").
pub const UNKNOWN_FUNCS: &[u32] = &[121, 172, 175, 1001, 2048];
/// Open-platform account management: 24 for official accounts, 25 for mini programs.
pub fn open_func(kind: Kind) -> u32 {
    match kind {
        Kind::OfficialAccount => 24,
        Kind::MiniProgram => 25,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirm {
    pub need_confirm: u8,
    pub already_confirm: u8,
    pub can_confirm: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Func {
    pub id: u32,
    pub confirm: Option<Confirm>,
}

/// One authorizer as seeded (before any change made through the API).
#[derive(Debug, Clone)]
pub struct Profile {
    pub index: u32,
    pub appid: String,
    pub kind: Kind,
    pub nick_name: String,
    pub principal: u16,
    pub service_type: i64,
    pub verify_type: i64,
    pub user_name: String,
    pub alias: String,
    pub business: [u8; 5],
    pub account_status: i64,
    pub funcs: Vec<Func>,
    pub auth_time: i64,
    /// Whether the authorization was once completed with api_query_auth (else the list and the
    /// info answer carry an empty refresh token, as WeChat's FAQ describes).
    pub queried: bool,
    /// location_report, voice_recognize, customer_service.
    pub options: [u8; 3],
    pub signature: String,
    pub categories: Vec<(&'static str, &'static str)>,
    pub domains: Vec<String>,
}

const SALT_PROFILE: u64 = 1;
const SALT_OPEN: u64 = 2;

/// Kind of seeded authorizer `index` (about 60 % official accounts).
pub fn seeded_kind(seed: u64, index: u32) -> Kind {
    if Rng::new(seed, u64::from(index), SALT_PROFILE).below(100) < 60 {
        Kind::OfficialAccount
    } else {
        Kind::MiniProgram
    }
}

/// Principal of authorizer `index` (cheap: used when seeding the open-account bindings).
pub fn principal_of(seed: u64, index: u32) -> u16 {
    let mut r = Rng::new(seed, u64::from(index), SALT_PROFILE);
    let _kind = r.next_u64();
    if r.percent(12) {
        PERSONAL
    } else {
        r.below(u64::from(PERSONAL)) as u16
    }
}

/// Seeded open-account binding draw for authorizer `index`: 0..100.
pub fn open_draw(seed: u64, index: u32) -> u64 {
    Rng::new(seed, u64::from(index), SALT_OPEN).below(100)
}

/// Builds the seeded profile of authorizer `index`; `kind` overrides the seeded kind (accounts
/// added by the authorize step choose theirs).
pub fn profile(seed: u64, index: u32, kind: Option<Kind>) -> Profile {
    let seeded = seeded_kind(seed, index);
    let kind = kind.unwrap_or(seeded);
    let principal = principal_of(seed, index);
    let mut r = Rng::new(seed, u64::from(index), SALT_PROFILE ^ 0xABCD);
    let personal = principal == PERSONAL;
    let city = *r.pick(CITY);
    let core = *r.pick(CORE);
    let topic = *r.pick(TOPIC);
    let nick_name = match kind {
        Kind::OfficialAccount => format!("{city}{core}{topic}{}", r.pick(OA_SUFFIX)),
        Kind::MiniProgram => format!("{core}{topic}{}", r.pick(MP_SUFFIX)),
    };
    let service_type = draw_service_type(&mut r, kind, personal);
    let verify_type = draw_verify_type(&mut r, kind, personal);
    let user_name = format!("gh_{}", r.hex(12));
    let alias = draw_alias(&mut r, kind);
    let business = [0u8; 5].map(|_| u8::from(r.percent(30)));
    let account_status = match r.below(200) {
        0 => 14,
        1 => 16,
        2 => 18,
        3 => 19,
        _ => 1,
    };
    let funcs = draw_funcs(&mut r, kind);
    // 2016-01-01 .. 2026-06-01
    let auth_time = 1_451_606_400 + r.below(1_780_272_000 - 1_451_606_400) as i64;
    let queried = r.percent(85);
    let options = [
        r.below(3) as u8,
        u8::from(r.percent(40)),
        u8::from(r.percent(30)),
    ];
    let (signature, categories, domains) = match kind {
        Kind::OfficialAccount => (String::new(), Vec::new(), Vec::new()),
        Kind::MiniProgram => {
            let n = 1 + r.below(3) as usize;
            let cats = (0..n).map(|_| *r.pick(MP_CATEGORIES)).collect();
            let host = format!("{}.example.com", r.hex(6));
            (
                format!("{core}{topic}，{city}本地的{topic}服务。"),
                cats,
                vec![format!("https://api.{host}"), format!("https://www.{host}")],
            )
        }
    };
    Profile {
        index,
        appid: appid_of(seed, index),
        kind,
        nick_name,
        principal,
        service_type,
        verify_type,
        user_name,
        alias,
        business,
        account_status,
        funcs,
        auth_time,
        queried,
        options,
        signature,
        categories,
        domains,
    }
}

// The draws below take the profile's generator in a fixed order: reordering them changes every
// seeded account.

fn draw_service_type(r: &mut Rng, kind: Kind, personal: bool) -> i64 {
    match kind {
        Kind::OfficialAccount if personal => 0,
        Kind::OfficialAccount => match r.below(100) {
            0..=34 => 0,
            35..=39 => 1,
            _ => 2,
        },
        Kind::MiniProgram => match r.below(100) {
            0..=84 => 0,
            85..=89 => 12,
            90..=94 => 4,
            95..=97 => 10,
            _ => 2,
        },
    }
}

fn draw_verify_type(r: &mut Rng, kind: Kind, personal: bool) -> i64 {
    if personal {
        -1
    } else {
        match (kind, r.below(100)) {
            (_, 0..=24) => -1,
            (Kind::MiniProgram, _) => 0,
            (Kind::OfficialAccount, 25..=89) => 0,
            (Kind::OfficialAccount, v) => [1, 2, 3, 4, 5][(v % 5) as usize],
        }
    }
}

fn draw_alias(r: &mut Rng, kind: Kind) -> String {
    match kind {
        Kind::OfficialAccount if r.percent(80) => {
            format!(
                "{}{}",
                ["sz", "gz", "hz", "bj", "sh", "cd", "wh", "nj"][r.below(8) as usize],
                r.below(1_000_000)
            )
        }
        _ => String::new(),
    }
}

fn draw_funcs(r: &mut Rng, kind: Kind) -> Vec<Func> {
    let (base, extra) = match kind {
        Kind::OfficialAccount => (OA_BASE_FUNCS, OA_EXTRA_FUNCS),
        Kind::MiniProgram => (MP_BASE_FUNCS, MP_EXTRA_FUNCS),
    };
    let mut ids: Vec<u32> = base.iter().copied().filter(|_| r.percent(92)).collect();
    ids.extend(extra.iter().copied().filter(|_| r.percent(25)));
    if r.percent(88) {
        ids.push(open_func(kind));
    }
    if r.percent(10) {
        ids.push(*r.pick(UNKNOWN_FUNCS));
    }
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let confirm = r.percent(8).then(|| {
                let already = u8::from(r.percent(50));
                Confirm {
                    need_confirm: 1,
                    already_confirm: already,
                    can_confirm: u8::from(already == 0),
                }
            });
            Func { id, confirm }
        })
        .collect()
}

pub fn func_info_json(funcs: &[Func]) -> Value {
    Value::Array(
        funcs
            .iter()
            .map(|f| match f.confirm {
                None => json!({"funcscope_category": {"id": f.id}}),
                Some(c) => json!({
                    "funcscope_category": {"id": f.id},
                    "confirm_info": {
                        "need_confirm": c.need_confirm,
                        "already_confirm": c.already_confirm,
                        "can_confirm": c.can_confirm,
                    }
                }),
            })
            .collect(),
    )
}

impl Profile {
    pub fn principal_name(&self) -> &'static str {
        PRINCIPALS[usize::from(self.principal)]
    }

    pub fn has_func(&self, id: u32) -> bool {
        self.funcs.iter().any(|f| f.id == id)
    }

    /// `authorizer_info` as api_get_authorizer_info answers it (§8.1). `img_base` is where the
    /// simulator serves the placeholder avatar and QR-code images.
    pub fn authorizer_info(&self, img_base: &str) -> Value {
        let b = &self.business;
        let mut info = json!({
            "nick_name": self.nick_name,
            "head_img": format!("{img_base}/sandbox/img/head/{}.svg", self.appid),
            "service_type_info": {"id": self.service_type},
            "verify_type_info": {"id": self.verify_type},
            "user_name": self.user_name,
            "principal_name": self.principal_name(),
            "alias": self.alias,
            "qrcode_url": format!("{img_base}/sandbox/img/qrcode/{}.svg", self.appid),
            "business_info": {
                "open_store": b[0], "open_scan": b[1], "open_pay": b[2], "open_card": b[3], "open_shake": b[4],
            },
            "idc": 1,
            "account_status": self.account_status,
            "basic_config": {"is_phone_configured": true, "is_email_configured": self.verify_type == 0},
        });
        if self.kind == Kind::MiniProgram {
            let obj = info.as_object_mut().expect("object");
            obj.insert("signature".into(), json!(self.signature));
            obj.insert("register_type".into(), json!(0));
            obj.insert(
                "MiniProgramInfo".into(),
                json!({
                    "network": {
                        "RequestDomain": self.domains,
                        "WsRequestDomain": self.domains.iter().map(|d| d.replacen("https://", "wss://", 1)).collect::<Vec<_>>(),
                        "UploadDomain": self.domains,
                        "DownloadDomain": self.domains,
                        "BizDomain": [],
                        "UDPDomain": [],
                        "TCPDomain": [],
                    },
                    "categories": self.categories.iter().map(|(f, s)| json!({"first": f, "second": s})).collect::<Vec<_>>(),
                    "visit_status": 0,
                }),
            );
        }
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appid_roundtrip_and_foreign_ids_rejected() {
        for seed in [0u64, 7, u64::MAX] {
            for i in [0u32, 1, 1999, 199_999, u32::MAX] {
                let a = appid_of(seed, i);
                assert_eq!(a.len(), 18);
                assert_eq!(index_of(seed, &a), Some(i));
            }
        }
        assert_eq!(index_of(1, "wx0000000000000000"), None);
        assert_eq!(index_of(1, &appid_of(2, 5)), None);
    }

    #[test]
    fn profiles_are_deterministic_and_varied() {
        let a = profile(42, 10, None);
        let b = profile(42, 10, None);
        assert_eq!(a.nick_name, b.nick_name);
        assert_eq!(a.funcs, b.funcs);
        let mps = (0..1000)
            .filter(|&i| seeded_kind(42, i) == Kind::MiniProgram)
            .count();
        assert!((300..500).contains(&mps), "{mps}");
        let unqueried = (0..1000).filter(|&i| !profile(42, i, None).queried).count();
        assert!(unqueried > 50);
    }
}
