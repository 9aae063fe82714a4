import type { AuthorizerRow, AuthorizerView, CommandError, SyncRunRow } from "../src/api";

export const NOW = 1_795_000_000;

export function row(i: number, over: Partial<AuthorizerRow> = {}): AuthorizerRow {
  const hex = i.toString(16).padStart(16, "0");
  return {
    appid: `wx${hex}`,
    nick_name: `账号${i}`,
    head_img: `http://127.0.0.1:18080/sandbox/img/head/wx${hex}.svg`,
    kind: i % 2 === 0 ? "official_account" : "mini_program",
    service_type: 2,
    verify_type: 0,
    user_name: `gh_${hex.slice(4)}`,
    principal_name: "深圳市腾云科技有限公司",
    alias: "",
    qrcode_url: "",
    auth_time: NOW - i,
    status: "authorized",
    status_changed_at: NOW,
    has_open: null,
    has_refresh_token: true,
    info_fetched_at: NOW,
    details_error: null,
    listed_at: NOW,
    ...over,
  };
}

export function rows(from: number, count: number): AuthorizerRow[] {
  return Array.from({ length: count }, (_, k) => row(from + k));
}

export const COUNTS = { total: 120, authorized: 110, revoked: 6, needs_reauth: 4, missing_refresh_token: 2, without_details: 3 };

export function failure(errcode = 61004, message = "api_get_authorizer_list: errcode 61004"): CommandError {
  return {
    code: "we_chat",
    message,
    hint: null,
    errcode,
    explanation: {
      errcode,
      known: true,
      kind: "ip_whitelist",
      zh: "调用方 IP 不在白名单中",
      en: "The caller IP is not whitelisted",
      hint_zh: "在第三方平台设置中添加该 IP",
      hint_en: "Add the IP to the platform's whitelist",
      retryable: false,
      client_ip: "203.0.113.7",
      rid: null,
    },
  };
}

export function run(over: Partial<SyncRunRow> = {}): SyncRunRow {
  return {
    id: 7,
    profile_id: 1,
    state: "done",
    with_details: true,
    list_done: true,
    total_count: 120,
    next_offset: 120,
    details_total: 120,
    details_done: 118,
    errors: 2,
    last_error: null,
    revoked: 0,
    started_at: NOW - 60,
    updated_at: NOW,
    finished_at: NOW,
    ...over,
  };
}

const RAW_MP = JSON.stringify({
  nick_name: "小程序一号",
  service_type_info: { id: 0 },
  verify_type_info: { id: 0 },
  user_name: "gh_mp0000000001",
  principal_name: "深圳市腾云科技有限公司",
  business_info: { open_store: 0, open_scan: 1, open_pay: "1", open_card: 0, open_shake: 0 },
  account_status: 1,
  signature: "一个小程序",
  basic_config: { is_phone_configured: true, is_email_configured: false },
  MiniProgramInfo: {
    network: {
      RequestDomain: ["https://api.example.com"],
      WsRequestDomain: ["wss://api.example.com"],
      UploadDomain: null,
      DownloadDomain: [],
    },
    categories: [{ first: "工具", second: "效率" }, null],
  },
});

export function view(over: Partial<AuthorizerView> = {}): AuthorizerView {
  const appid = over.authorizer?.appid ?? "wx0000000000000001";
  return {
    authorizer: row(1, { appid, service_type: 0, nick_name: "小程序一号", user_name: "gh_mp0000000001", qrcode_url: "http://127.0.0.1:18080/sandbox/img/qrcode/x.svg" }),
    raw_info: RAW_MP,
    permissions: [
      { funcscope_id: 18, need_confirm: null, already_confirm: null, can_confirm: null },
      { funcscope_id: 17, need_confirm: 0, already_confirm: 0, can_confirm: 0 },
      { funcscope_id: 2048, need_confirm: null, already_confirm: null, can_confirm: null },
      { funcscope_id: 25, need_confirm: 1, already_confirm: 0, can_confirm: 1 },
    ],
    last_seen_sync_id: 7,
    token: { appid, has_refresh_token: true, access_expires_at: null, refresh_token_tail: "••••ab12" },
    options: [{ appid, name: "voice_recognize", value: "1", fetched_at: NOW }],
    open: null,
    ...over,
  };
}
