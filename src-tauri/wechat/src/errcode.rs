//! Every WeChat errcode the console can meet, in words an operator understands (zh-CN and en),
//! with what to do about it and whether repeating the call can help.
//!
//! Sources: wechat-component-reference.md §1 and §6 (official pages and SDKs, each tagged there),
//! the official WXBizMsgCrypt samples (-40001..-40011), and WxJava's `WxOpenErrorMsgEnum`
//! (binarywang/WxJava, weixin-java-common) for 45035, 48004, 50001, 50002, 61012, 61013, 61015,
//! 61017, 61027 and 61030, which only that enum lists. WxJava's zh text for 61004 ("api 功能未授权")
//! is wrong: the real errmsg is "access clientip is not registered" (the reference §0.1 and
//! captured replies), and the table follows the errmsg.
//!
//! Real errmsg formats seen in public code (used by [`explain`]):
//! `access clientip is not registered requestIP: 175.11.201.147 rid: 5f92a0c3-4b491949-0aa4f69d`,
//! `access clientip is not registered requestIP: 101.226.103.59 hint: [0AOzcA0341vr32!]`,
//! `invalid ip 111.199.187.71 ipv6 ::ffff:111.199.187.71, not in whitelist hint: [H.BDtZFFE-Q7bNKA] rid: 5f283869-46321ea1-07d7260c`,
//! `invalid ip 61.170.240.23, not in whitelist hint: [pRf6xa07743064]`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

/// What kind of trouble an errcode is, so the UI can group and route them.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ErrKind {
    /// Wrong appid/secret/component, or an authorization code that is bad or used up.
    Auth,
    /// Access or refresh token missing, stale, or of the wrong type.
    Token,
    /// component_verify_ticket expired or invalid.
    Ticket,
    /// Daily/minute quotas and the monthly reset limit.
    Quota,
    /// An API or permission set not granted, or the account not (or no longer) authorized.
    Permission,
    /// A malformed or missing request field.
    Input,
    /// WeChat-side trouble: try again.
    Transient,
    /// The caller's IP is not on the platform's whitelist.
    IpWhitelist,
    /// Open-platform account binding rules (`/cgi-bin/open/*`).
    Binding,
    /// The message-crypto codes of the official samples (not API errcodes).
    Crypto,
    Unknown,
}

/// One row of the table.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrcodeInfo {
    pub errcode: i64,
    pub kind: ErrKind,
    pub zh: &'static str,
    pub en: &'static str,
    pub hint_zh: &'static str,
    pub hint_en: &'static str,
    /// Repeating the same call may succeed without the operator doing anything (after the
    /// automatic token refresh for `Token` codes that say so, or after a wait).
    pub retryable: bool,
}

/// An errcode explained for one concrete reply (IP and rid pulled out of its errmsg).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Explanation {
    pub errcode: i64,
    /// False when the errcode is not in the table (the texts are then generic).
    pub known: bool,
    pub kind: ErrKind,
    pub zh: String,
    pub en: String,
    pub hint_zh: String,
    pub hint_en: String,
    pub retryable: bool,
    /// The caller IP WeChat saw, when the errmsg names it (61004, 40164, …).
    pub client_ip: Option<String>,
    /// The request id at the end of recent errmsgs; `openapi/rid/get` tells more within 7 days.
    pub rid: Option<String>,
}

/// The table, sorted by errcode.
pub fn all() -> &'static [ErrcodeInfo] {
    TABLE
}

pub fn lookup(errcode: i64) -> Option<&'static ErrcodeInfo> {
    TABLE
        .binary_search_by_key(&errcode, |e| e.errcode)
        .ok()
        .map(|i| &TABLE[i])
}

/// Explains one WeChat reply. Unknown errcodes get `known: false`, kind `Unknown` and a generic
/// text quoting `errmsg`.
pub fn explain(errcode: i64, errmsg: &str) -> Explanation {
    let errmsg = errmsg.trim();
    let client_ip = client_ip(errmsg);
    let rid = rid(errmsg);
    let Some(info) = lookup(errcode) else {
        return unknown(errcode, errmsg, client_ip, rid);
    };
    let (mut hint_zh, mut hint_en) = (info.hint_zh.to_owned(), info.hint_en.to_owned());
    if info.kind == ErrKind::IpWhitelist {
        if let Some(ip) = &client_ip {
            hint_zh = format!("微信看到的请求来源 IP 是 {ip}。{hint_zh}");
            hint_en = format!("WeChat saw the request coming from {ip}. {hint_en}");
        }
    }
    Explanation {
        errcode,
        known: true,
        kind: info.kind,
        zh: info.zh.to_owned(),
        en: info.en.to_owned(),
        hint_zh,
        hint_en,
        retryable: info.retryable,
        client_ip,
        rid,
    }
}

fn unknown(
    errcode: i64,
    errmsg: &str,
    client_ip: Option<String>,
    rid: Option<String>,
) -> Explanation {
    let (zh, en) = if errmsg.is_empty() {
        (
            format!("未收录的错误码 {errcode}"),
            format!("Errcode {errcode} is not in the table"),
        )
    } else {
        (
            format!("未收录的错误码 {errcode}，微信返回：「{errmsg}」"),
            format!("Errcode {errcode} is not in the table; WeChat said: \"{errmsg}\""),
        )
    };
    let mut hint_zh = "查阅微信开放平台“全局返回码说明”，并按 errmsg 的提示检查请求。".to_owned();
    let mut hint_en = "Look the code up in the Open Platform's global return-code page and check the request against errmsg.".to_owned();
    if let Some(rid) = &rid {
        hint_zh.push_str(&format!(
            "7 天内可用 rid {rid} 调用 openapi/rid/get 查看这次请求的详情。"
        ));
        hint_en.push_str(&format!(
            " Within 7 days, openapi/rid/get with rid {rid} shows the details of this request."
        ));
    }
    Explanation {
        errcode,
        known: false,
        kind: ErrKind::Unknown,
        zh,
        en,
        hint_zh,
        hint_en,
        retryable: false,
        client_ip,
        rid,
    }
}

/// The caller IP named in an errmsg: the first IPv4 address, else the first IPv6 one (an
/// IPv4-mapped IPv6 address is given as IPv4).
pub fn client_ip(errmsg: &str) -> Option<String> {
    let is_ip_char = |c: char| c.is_ascii_hexdigit() || c == '.' || c == ':';
    let tokens = || {
        errmsg
            .split(|c: char| !is_ip_char(c))
            .filter(|t| !t.is_empty())
    };
    let v4 = tokens().find_map(|t| {
        t.trim_matches(|c| c == ':' || c == '.')
            .parse::<Ipv4Addr>()
            .ok()
    });
    if let Some(ip) = v4 {
        return Some(ip.to_string());
    }
    tokens()
        .filter(|t| t.matches(':').count() >= 2)
        .find_map(|t| t.trim_end_matches(['.', ':']).parse::<Ipv6Addr>().ok())
        .map(|ip| match ip.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4).to_string(),
            None => ip.to_string(),
        })
}

/// The `rid: …` at the end of recent errmsgs.
pub fn rid(errmsg: &str) -> Option<String> {
    let lower = errmsg.to_ascii_lowercase();
    let start = lower.find("rid:")? + "rid:".len();
    let value: String = errmsg[start..]
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ';' | ']' | '"' | ')'))
        .collect();
    (!value.is_empty()).then_some(value)
}

macro_rules! e {
    ($code:expr, $kind:ident, $retry:expr, $zh:expr, $en:expr, $hint_zh:expr, $hint_en:expr $(,)?) => {
        ErrcodeInfo {
            errcode: $code,
            kind: ErrKind::$kind,
            zh: $zh,
            en: $en,
            hint_zh: $hint_zh,
            hint_en: $hint_en,
            retryable: $retry,
        }
    };
}

const IP_HINT_ZH: &str = "把本机的出口 IP 加入第三方平台的 IP 白名单（开放平台 → 管理中心 → 第三方平台 → 开发资料 → 白名单IP地址列表），或为此配置设置一个出口 IP 已在白名单中的代理。IP 加到了别的第三方平台、或修改后尚未生效，也会出现此错误。";
const IP_HINT_EN: &str = "Add this machine's outgoing IP to the third-party platform's IP whitelist (Open Platform → third-party platform → 开发资料 (development settings) → 白名单IP (IP whitelist)), or configure this profile's proxy to go through an IP that is already whitelisted. It also happens when the IP was added to a different platform, or the change has not taken effect yet.";

const CRYPTO_HINT_ZH: &str = "这是消息加解密示例代码的错误码，不是接口返回的：检查消息校验 Token、消息加解密 Key 和第三方平台 AppID。";
const CRYPTO_HINT_EN: &str = "A code of the message-crypto sample code, not of the API: check the Token, the EncodingAESKey and the component appid.";

/// Sorted by errcode (checked by a test; `lookup` binary-searches it).
static TABLE: &[ErrcodeInfo] = &[
    e!(-40011, Crypto, false, "生成回复 XML 失败", "Failed to build the reply XML", CRYPTO_HINT_ZH, CRYPTO_HINT_EN),
    e!(-40010, Crypto, false, "Base64 解码失败", "Base64 decoding failed",
       "消息体中的 Encrypt 不是完整的 Base64：请使用原始请求体（URL 解码会把 + 变成空格）。",
       "The Encrypt value is not valid base64: use the raw request body (URL decoding turns '+' into spaces)."),
    e!(-40009, Crypto, false, "Base64 编码失败", "Base64 encoding failed", CRYPTO_HINT_ZH, CRYPTO_HINT_EN),
    e!(-40008, Crypto, false, "解密后的内容格式不对", "The decrypted buffer is malformed",
       "通常是消息加解密 Key 不对；若刚更换过 Key，请用旧 Key 再试。",
       "Usually a wrong EncodingAESKey; if it was changed recently, try the previous key."),
    e!(-40007, Crypto, false, "AES 解密失败", "AES decryption failed",
       "检查消息加解密 Key（43 位）是否与第三方平台后台一致。",
       "Check that the EncodingAESKey (43 characters) matches the platform's settings."),
    e!(-40006, Crypto, false, "AES 加密失败", "AES encryption failed", CRYPTO_HINT_ZH, CRYPTO_HINT_EN),
    e!(-40005, Crypto, false, "消息末尾的 AppID 与本平台不一致", "The appid inside the message is not this platform's",
       "检查配置中的第三方平台 AppID；这条消息可能是发给另一个第三方平台的。",
       "Check the profile's component appid: the message may belong to another platform."),
    e!(-40004, Crypto, false, "消息加解密 Key 不合法", "Invalid EncodingAESKey",
       "从开发资料重新复制消息加解密 Key：正好 43 位字母和数字。",
       "Copy the EncodingAESKey again from the platform's settings: exactly 43 letters and digits."),
    e!(-40003, Crypto, false, "计算签名失败", "Computing the signature failed", CRYPTO_HINT_ZH, CRYPTO_HINT_EN),
    e!(-40002, Crypto, false, "XML 解析失败", "XML parsing failed",
       "确认传入的是推送的原始 XML 请求体。",
       "Make sure the input is the push's raw XML body."),
    e!(-40001, Crypto, false, "签名校验失败", "Signature check failed",
       "检查消息校验 Token；并确认用的是 URL 中的 msg_signature，而不是 signature。",
       "Check the Token, and use the URL's msg_signature parameter, not signature."),
    e!(-1, Transient, true, "微信系统繁忙", "WeChat is busy (system error)",
       "稍后重试；持续出现时记下 rid 反馈给微信。",
       "Retry in a moment; if it persists, report the rid to WeChat."),
    e!(40001, Token, true, "access_token 无效或不是最新的", "The access token is invalid or no longer the latest",
       "会自动刷新令牌并重试一次。若仍失败：检查 AppSecret；或是否有别的系统（例如生产后端）刷新了同一个令牌，使这个令牌失效。",
       "The token is refreshed and the call retried once. If it still fails, check the AppSecret, or whether another system (e.g. the production backend) refreshed the same token and so invalidated this one."),
    e!(40002, Input, false, "不合法的凭证类型", "Invalid grant_type",
       "检查请求参数 grant_type。", "Check the grant_type parameter."),
    e!(40013, Auth, false, "AppID 无效", "Invalid appid",
       "检查 AppID 是否正确（注意大小写和空格）；open/* 与 clear_quota 等接口的 appid 还必须与令牌所属账号一致。",
       "Check the appid (case, stray spaces); for open/* and clear_quota it must also be the account the token belongs to."),
    e!(40014, Token, true, "access_token 不合法", "Invalid access token",
       "会自动刷新令牌并重试一次；仍失败时检查是否传错了令牌类型。",
       "The token is refreshed and the call retried once; if it still fails, check that the right kind of token was sent."),
    e!(40125, Auth, false, "AppSecret 无效", "Invalid AppSecret",
       "到开放平台重新核对（必要时重置）第三方平台的 AppSecret，并更新到此配置。",
       "Check (or reset) the platform's AppSecret on the Open Platform and update this profile."),
    e!(40164, IpWhitelist, false, "调用方 IP 不在白名单中", "The calling IP is not on the whitelist", IP_HINT_ZH, IP_HINT_EN),
    e!(40170, Input, false, "参数数量超过上限", "A count argument is over its limit",
       "拉取授权方列表时每次 count 不能超过 500。", "When listing authorizers, count must be 500 or less."),
    e!(41001, Token, false, "缺少 access_token", "The access token is missing",
       "令牌必须放在 URL 查询参数中（component_access_token= 或 access_token=），放在请求体里无效。",
       "The token must be in the query string (component_access_token= or access_token=), not in the body."),
    e!(41002, Input, false, "缺少 appid", "The appid is missing",
       "在请求中填写 appid。", "Put the appid in the request."),
    e!(41004, Input, false, "缺少 AppSecret", "The AppSecret is missing",
       "在此配置中保存第三方平台的 AppSecret。", "Save the platform's AppSecret in this profile."),
    e!(41018, Input, false, "缺少 component_appid", "component_appid is missing",
       "在请求体中填写第三方平台 AppID（component_appid）。", "Put the platform's appid (component_appid) in the request body."),
    e!(42001, Token, true, "access_token 已过期", "The access token has expired",
       "会自动刷新令牌并重试一次。", "The token is refreshed and the call retried once."),
    e!(42007, Token, false, "令牌因账号安全原因失效", "The access and refresh tokens were invalidated",
       "账号可能修改了密码或发生了安全事件：请该账号的管理员重新授权。",
       "The account may have changed its password or had a security event: ask its admin to authorize again."),
    e!(44002, Input, false, "POST 请求体为空", "The POST body is empty",
       "即使没有参数也要发送 {}。", "Send {} even when there are no parameters."),
    e!(45009, Quota, false, "接口今日调用次数已达上限", "The API's daily quota is used up",
       "等到明天额度重置，或用“清零调用次数”（clear_quota，每月 10 次，与网页后台共享）。",
       "Wait for tomorrow's reset, or clear the quota (clear_quota: 10 times a month, shared with the web console)."),
    e!(45011, Quota, true, "接口调用太频繁（分钟级限额）", "Calls are too frequent (per-minute limit)",
       "放慢调用速度，下一分钟再试。", "Slow down and retry in the next minute."),
    e!(45035, IpWhitelist, false, "调用方 IP 未登记（不在 IP 白名单中）", "The calling IP is not registered (not on the IP whitelist)", IP_HINT_ZH, IP_HINT_EN),
    e!(47001, Input, false, "请求数据格式错误", "The request data is malformed",
       "检查请求体是否为合法 JSON、字段是否齐全。", "Check that the body is valid JSON with every required field."),
    e!(48001, Permission, false, "接口未授权", "API not authorized",
       "账号没有这个接口的权限，或用错了令牌类型（例如 open/* 接口必须用授权方令牌，不能用第三方平台令牌）。",
       "The account lacks this API, or the wrong kind of token was used (open/* needs the authorizer's token, not the component token)."),
    e!(48004, Permission, false, "接口因违规被封禁", "The API is banned for violations",
       "登录 mp.weixin.qq.com 查看封禁详情。", "Log in to mp.weixin.qq.com to see why."),
    e!(48006, Quota, false, "本月清零次数已用完", "No quota resets left this month",
       "每个账号每月只能清零 10 次（接口与网页后台共享），请等到下个月。",
       "Each account can reset its quota 10 times a month (API and web console together): wait for next month."),
    e!(50001, Permission, false, "用户未授权该接口", "The user has not authorized this API",
       "确认账号已开通并授权了对应权限。", "Check that the account has this permission and granted it."),
    e!(50002, Permission, false, "账号受限（可能被冻结或注销）", "The account is restricted (possibly frozen or closed)",
       "请账号管理员登录公众平台查看账号状态。", "Ask the account's admin to check its status on mp.weixin.qq.com."),
    e!(61003, Permission, false, "该账号未授权给本第三方平台", "This account has not authorized this platform",
       "账号可能已取消授权（需要重新授权），或请求中的 component_appid / authorizer_appid 填错了。",
       "The account may have revoked the authorization (it must authorize again), or the component_appid / authorizer_appid is wrong."),
    e!(61004, IpWhitelist, false, "调用方 IP 不在第三方平台的白名单中", "The calling IP is not on the platform's IP whitelist", IP_HINT_ZH, IP_HINT_EN),
    e!(61005, Ticket, false, "component_verify_ticket 已过期", "The component_verify_ticket has expired",
       "票据每 10 分钟推送一次、有效 12 小时：检查授权事件接收 URL 是否在正常接收推送，或调用“启动票据推送”（api_start_push_ticket），也可以手动粘贴最新票据。",
       "Tickets are pushed every 10 minutes and last 12 hours: check that the authorization-event URL receives pushes, or start the ticket push (api_start_push_ticket), or paste the latest ticket."),
    e!(61006, Ticket, false, "component_verify_ticket 无效", "The component_verify_ticket is invalid",
       "使用最近一次推送的完整票据（不要截断或加空格），确认票据属于这个第三方平台；必要时启动票据推送。",
       "Use the latest pushed ticket, complete and untrimmed, and make sure it belongs to this platform; start the ticket push if needed."),
    e!(61007, Permission, false, "该接口的权限集未授权给本第三方平台", "The account did not grant this API's permission set to the platform",
       "请账号管理员重新授权并勾选对应权限集；或检查第三方平台是否申请了该权限集。",
       "Ask the account's admin to authorize again with the permission set checked, and check that the platform applied for that set."),
    e!(61009, Auth, false, "授权码无效", "The authorization code is invalid",
       "授权码只能用一次，且必须来自本平台的授权回调或推送；注意不要把预授权码当作授权码。请重新授权获取新授权码。",
       "An auth code works once and must come from this platform's redirect or push; do not pass the pre_auth_code. Authorize again for a new code."),
    e!(61010, Auth, false, "授权码已过期", "The authorization code has expired",
       "请重新授权（或在公众平台“更新授权”）以获得新的授权码。",
       "Authorize again (or update the authorization) to get a new code."),
    e!(61011, Auth, false, "第三方平台无效", "Invalid component (third-party platform)",
       "检查 component_appid；平台需已审核通过，不能被封禁。",
       "Check the component_appid; the platform must be approved and not banned."),
    e!(61012, Input, false, "选项名称无效", "Invalid option name",
       "option_name 只能是 location_report、voice_recognize 或 customer_service。",
       "option_name must be location_report, voice_recognize or customer_service."),
    e!(61013, Input, false, "选项值无效", "Invalid option value",
       "location_report 取 0/1/2，voice_recognize 和 customer_service 取 0/1（字符串）。",
       "location_report takes 0/1/2, voice_recognize and customer_service take 0/1 (as strings)."),
    e!(61014, Token, false, "第三方平台接口必须使用第三方平台令牌", "Component APIs need the component access token",
       "/cgi-bin/component/* 接口请使用 component_access_token，不能使用授权方或普通 access_token。",
       "Use the component_access_token for /cgi-bin/component/*, not an authorizer or ordinary access token."),
    e!(61015, Token, false, "该接口必须使用授权方令牌", "This API needs the authorizer's token",
       "代授权方调用的接口请使用 authorizer_access_token，不能用第三方平台令牌。",
       "APIs called on behalf of an account need its authorizer_access_token, not the component token."),
    e!(61016, Permission, false, "权限集需要第三方平台确认", "The permission set must be confirmed by the platform",
       "该权限集处于待确认状态（见 func_info 的 confirm_info），确认后再调用。",
       "The permission set awaits confirmation (see confirm_info in func_info); confirm it first."),
    e!(61017, Permission, false, "权限集未授权", "The permission set is not authorized",
       "请账号管理员重新授权并勾选该权限集。", "Ask the account's admin to authorize again with that set checked."),
    e!(61023, Token, false, "刷新令牌无效", "The authorizer refresh token is invalid",
       "可能已重新授权（旧刷新令牌随之失效）或取消了授权：先从授权方列表重新读取 refresh_token，仍不行就请账号重新授权。",
       "The account may have re-authorized (which voids the old refresh token) or revoked: re-read refresh_token from the authorizer list, else ask it to authorize again."),
    e!(61024, Token, false, "第三方平台账号必须用 api_component_token 获取令牌", "A component account must get its token from api_component_token",
       "不要用 /cgi-bin/token 获取第三方平台的令牌。", "Do not use /cgi-bin/token for a third-party platform."),
    e!(61025, Input, false, "该选项只读", "This option is read-only",
       "这个选项不能通过接口修改。", "The option cannot be changed through the API."),
    e!(61026, Permission, false, "无权快速注册", "Fast registration not allowed",
       "第三方平台没有快速注册权限（仅见于 WxJava 错误码表）。",
       "The platform may not use fast registration (listed only in WxJava's errcode enum)."),
    e!(61027, Quota, false, "快速注册次数已达上限", "Fast-registration limit reached",
       "等待额度恢复后再试（仅见于 WxJava 错误码表）。",
       "Wait until the limit resets (listed only in WxJava's errcode enum)."),
    e!(61028, Permission, false, "第三方平台尚未全网发布", "The platform is not released to all accounts",
       "完成全网发布；发布前只有“授权测试公众号/小程序列表”中的账号可以授权和调用。",
       "Release the platform to all accounts; until then only accounts on its test list can authorize and be served."),
    e!(61029, Permission, false, "第三方平台缺少必需的权限集", "The platform lacks a required permission set",
       "为第三方平台申请基础权限集并重新全网发布。", "Apply for the base permission sets and release the platform again."),
    e!(61030, Permission, false, "不允许第三方平台取消授权", "The platform may not cancel the authorization",
       "取消授权只能由账号管理员在公众平台操作。", "Only the account's admin can revoke the authorization, on mp.weixin.qq.com."),
    e!(76001, Input, false, "rid 不存在", "rid not found",
       "rid 只保留 7 天，且只能由产生它的账号查询。", "rids are kept 7 days and can only be looked up by the account that got them."),
    e!(76002, Input, false, "rid 格式错误", "Malformed rid",
       "完整复制 errmsg 中 rid: 后面的值。", "Copy the whole value after rid: in the errmsg."),
    e!(76003, Permission, false, "无权查询这个 rid", "No permission to look up this rid",
       "用产生这个 rid 的那个账号的令牌查询（同一类型的令牌）。", "Query with the token of the account (and token kind) that got the rid."),
    e!(76021, Input, false, "cgi_path 不存在", "cgi_path not found",
       "cgi_path 以 / 开头、不带域名，例如 /cgi-bin/component/api_component_token。",
       "cgi_path starts with / and has no host, e.g. /cgi-bin/component/api_component_token."),
    e!(76022, Permission, false, "无权查询这个 cgi_path", "No permission to query this cgi_path",
       "第三方平台接口用第三方平台令牌查询，授权方接口用授权方令牌查询；/sns/* 不支持。",
       "Query component APIs with the component token and authorizer APIs with the authorizer token; /sns/* is not supported."),
    e!(89000, Binding, false, "该账号已经绑定了开放平台账号", "The account is already bound to an open platform account",
       "先用 open/get 查看它绑定的开放平台账号，需要时先解绑。",
       "Use open/get to see which open account it is bound to; unbind first if needed."),
    e!(89001, Binding, false, "账号与开放平台账号主体不一致", "The account and the open platform account have different principals",
       "只能绑定同一主体的账号。", "Only accounts of the same principal can be bound."),
    e!(89002, Binding, false, "该账号没有绑定开放平台账号", "The account is not bound to an open platform account",
       "先创建（open/create）或绑定（open/bind）开放平台账号。", "Create (open/create) or bind (open/bind) an open account first."),
    e!(89003, Binding, false, "该开放平台账号不是通过接口创建的", "The open platform account was not created through the API",
       "在 open.weixin.qq.com 上创建的开放平台账号不能通过接口解绑，请在网页上操作。",
       "An open account created on open.weixin.qq.com cannot be changed through the API: use the website."),
    e!(89004, Binding, false, "开放平台账号绑定数量已达上限", "The open platform account has reached its binding limit",
       "一个开放平台账号最多绑定 100 个账号（未认证时更少）。", "An open account can bind at most 100 accounts (fewer while unverified)."),
    e!(89036, Binding, false, "开放平台账号不是接口创建的或未认证", "The open platform account was not created through the API, or is not verified",
       "只能绑定到通过接口创建的或已认证的开放平台账号。", "Bind only to an open account created through the API, or a verified one."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(TABLE.windows(2).all(|w| w[0].errcode < w[1].errcode));
    }
}
