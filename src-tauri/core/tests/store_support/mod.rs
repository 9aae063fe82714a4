//! Helpers shared by the store tests: a store in a tempdir, a profile, seeded authorizers.
#![allow(dead_code)]

use wxopen_core::store::{
    AuthorizerInfoRecord, Kind, ListedAuthorizer, NewProfile, OptionApi, Permission, ProfileRow,
    Store, TokenSourceKind,
};

pub fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

pub fn new_profile(name: &str, appid: &str) -> NewProfile {
    NewProfile {
        name: name.into(),
        component_appid: appid.into(),
        api_base: "https://api.weixin.qq.com".into(),
        proxy: None,
        is_sandbox: false,
        token_source: TokenSourceKind::Local,
        option_api: OptionApi::Legacy,
        redirect_uri: None,
        shared_source: None,
    }
}

pub fn profile(store: &Store, name: &str) -> ProfileRow {
    let appid = format!(
        "wx{:016x}",
        name.bytes().map(u64::from).sum::<u64>() + name.len() as u64
    );
    store.profile_insert(&new_profile(name, &appid)).unwrap()
}

pub fn appid(i: u32) -> String {
    format!("wx{:016x}", 0x1000_0000_0000u64 + u64::from(i))
}

/// Deterministic list entries; every 10th has no refresh token when `gaps`.
pub fn listed(range: std::ops::Range<u32>, gaps: bool) -> Vec<ListedAuthorizer> {
    range
        .map(|i| ListedAuthorizer {
            appid: appid(i),
            refresh_token: if gaps && i % 10 == 0 {
                None
            } else {
                Some(format!("refreshtoken@@@{i:08}"))
            },
            auth_time: Some(1_700_000_000 + i64::from(i)),
        })
        .collect()
}

const NICK_A: &[&str] = &[
    "深圳", "广州", "杭州", "成都", "北京", "上海", "武汉", "西安", "南京", "苏州", "Happy",
    "Green",
];
const NICK_B: &[&str] = &[
    "科技", "美食", "旅行", "教育", "健康", "书店", "咖啡", "Fitness", "Coffee", "Studio", "花园",
];
const NICK_C: &[&str] = &[
    "小助手",
    "服务号",
    "订阅号",
    "小程序",
    "Shop",
    "Club",
    "官方",
    "优选",
];
const PRINCIPALS: &[&str] = &[
    "深圳市腾云科技有限公司",
    "广州市美味餐饮管理有限公司",
    "杭州西湖文化传播有限公司",
    "成都熊猫教育咨询有限公司",
    "Acme Trading Co., Ltd.",
    "北京长城网络技术有限公司",
    "个人",
];

pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Deterministic details for authorizer `i`.
pub fn info(i: u32) -> AuthorizerInfoRecord {
    let h = mix(u64::from(i));
    let pick =
        |list: &[&'static str], shift: u32| list[((h >> shift) % list.len() as u64) as usize];
    let nick = format!(
        "{}{}{}{}",
        pick(NICK_A, 0),
        pick(NICK_B, 8),
        pick(NICK_C, 16),
        i % 1000
    );
    let kind = if h & (1 << 40) == 0 {
        Kind::OfficialAccount
    } else {
        Kind::MiniProgram
    };
    AuthorizerInfoRecord {
        nick_name: nick,
        head_img: format!("https://wx.qlogo.cn/mmopen/{i}/0"),
        kind: Some(kind),
        service_type: Some(((h >> 24) % 3) as i64),
        verify_type: Some([-1i64, 0, 0, 0][((h >> 28) % 4) as usize]),
        user_name: format!("gh_{:012x}", h & 0xffff_ffff_ffff),
        principal_name: pick(PRINCIPALS, 32).to_string(),
        alias: if h & (1 << 41) == 0 {
            format!("alias_{i}")
        } else {
            String::new()
        },
        qrcode_url: format!("https://mmbiz.qpic.cn/qr/{i}"),
        auth_time: None,
        raw_info: format!(
            "{{\"authorizer_info\":{{\"nick_name\":\"n{i}\",\"filler\":\"{}\"}}}}",
            "x".repeat(600)
        ),
        func_info: vec![
            Permission {
                funcscope_id: 1,
                need_confirm: Some(0),
                already_confirm: Some(0),
                can_confirm: Some(0),
            },
            Permission {
                funcscope_id: 15,
                need_confirm: None,
                already_confirm: None,
                can_confirm: None,
            },
        ],
        refresh_token: None,
        fetched_at: 1_700_000_000,
    }
}

/// `n` listed authorizers with details (the bench/search data set).
pub fn seed(store: &Store, profile_id: i64, n: u32) {
    store
        .upsert_listed_authorizers(profile_id, None, &listed(0..n, false))
        .unwrap();
    let infos: Vec<_> = (0..n).map(|i| (appid(i), info(i))).collect();
    store
        .save_authorizer_infos(profile_id, None, &infos)
        .unwrap();
}
