import { describe, expect, it, vi } from "vitest";
import type { AuditEntry, AuthorizerApiQuota, RidLookup } from "../src/api";
import { mockShell, mountConsole, settle, type Handler } from "./helpers";
import { failure, row, view } from "./authorizers.fixtures";

// Mounting the whole app with TDesign dialogs is slow in happy-dom.
vi.setConfig({ testTimeout: 20_000 });

const APPID = "wx0000000000000001";
const RID = "6750a1b2-1a2b3c4d-5e6f7a8b";
const testid = (id: string): HTMLElement | null => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const all = (id: string): HTMLElement[] => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

function entry(id: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: 1_795_000_000 + id,
    profile_id: 1,
    endpoint: "/cgi-bin/component/api_get_authorizer_info",
    appid: null,
    errcode: 0,
    duration_ms: 12,
    detail: null,
    rid: null,
    token_param: "component_access_token",
    ...over,
  };
}

const LOOKUP: RidLookup = {
  rid: RID,
  asked_as: null,
  invoke_time: 1_795_000_002,
  cost_in_ms: 37,
  request_url: "component_access_token=87_abcxxxx",
  request_body: '{"component_appid":"wx5a4db0c0ffee0001","authorizer_appid":"wx0123456789abcdef"}',
  response_body: `{"errcode":61003,"errmsg":"component is not authorized by this account rid: ${RID}"}`,
  client_ip: "127.0.0.1",
};

function activityShell(lookup: Handler = () => LOOKUP) {
  return mockShell(undefined, {
    audit_list: () => ({ total: 2, rows: [entry(2, { errcode: 61003, rid: RID }), entry(1)] }),
    errcode_explain: (args) => ({ errcode: Number(args.errcode), known: true, kind: "auth", zh: "未授权", en: "Not authorized", hint_zh: null, hint_en: null, retryable: false, client_ip: null, rid: null }),
    rid_lookup: lookup,
  });
}

describe("rid lookup from Activity", () => {
  it("offers the lookup on a failed call with a rid only, and shows the request WeChat saw", async () => {
    const s = activityShell();
    await mountConsole("/activity");
    const buttons = all("activity-rid-lookup");
    expect(buttons.map((b) => b.dataset.rid)).toEqual([RID]);
    buttons[0]!.click();
    await settle();
    expect(s.args("rid_lookup")).toEqual([{ rid: RID, appid: null }]);
    expect(testid("rid-request-url")!.textContent).toBe("component_access_token=87_abcxxxx");
    expect(testid("rid-request-body")!.textContent).toContain('"authorizer_appid": "wx0123456789abcdef"');
    expect(testid("rid-response-body")!.textContent).toContain('"errcode": 61003');
    expect(testid("rid-client-ip")!.textContent).toBe("127.0.0.1");
    expect(testid("rid-cost")!.textContent).toContain("37");
    expect(testid("rid-asked-as")!.textContent).toContain("第三方平台");
    // Opening the row itself is not a lookup.
    expect(s.count("rid_lookup")).toBe(1);
  });

  it("explains a rid WeChat no longer knows", async () => {
    activityShell(() => {
      throw failure(76001, "rid/get: errcode 76001");
    });
    await mountConsole("/activity");
    all("activity-rid-lookup")[0]!.click();
    await settle();
    expect(testid("rid-error")).not.toBeNull();
    expect(testid("rid-request-url")).toBeNull();
  });
});

describe("an authorizer's API quota", () => {
  const quota = (path: string, used: number): AuthorizerApiQuota => ({
    appid: APPID,
    cgi_path: path,
    daily_limit: 1000,
    used,
    remain: 1000 - used,
    rate_limit: null,
  });

  function detailShell(over: Record<string, Handler> = {}) {
    let used = 7;
    let left = 3;
    return mockShell(undefined, {
      authorizers_search: () => ({ total: 1, rows: [row(1, { appid: APPID })] }),
      authorizer_view: () => view(),
      option_get: (args) => ({ appid: APPID, name: String(args.name), value: "0", fetched_at: 1 }),
      open_get: () => ({ appid: APPID, open_appid: null, checked_at: 1 }),
      authorizer_quota_resets: () => ({ appid: APPID, resets_this_month: 10 - left, resets_left: left }),
      authorizer_api_quota: (args) => quota(String(args.cgiPath), used),
      authorizer_clear_quota: () => {
        used = 0;
        left -= 1;
        return { appid: APPID, resets_this_month: 10 - left, resets_left: left };
      },
      ...over,
    });
  }

  it("reads the quota of the picked endpoint with the account's own token", async () => {
    const s = detailShell();
    await mountConsole(`/authorizers/${APPID}`);
    testid("quota-query")!.click();
    await settle();
    expect(s.args("authorizer_api_quota")).toEqual([{ appid: APPID, cgiPath: "/cgi-bin/open/get" }]);
    expect(testid("quota-daily-limit")!.textContent).toBe("1000");
    expect(testid("quota-used")!.textContent).toBe("7");
    expect(testid("quota-remain")!.textContent).toBe("993");
  });

  it("explains an endpoint that is not this account's", async () => {
    detailShell({
      authorizer_api_quota: () => {
        throw failure(76022, "quota/get: errcode 76022");
      },
    });
    await mountConsole(`/authorizers/${APPID}`);
    testid("quota-query")!.click();
    await settle();
    expect(testid("quota-query-error")).not.toBeNull();
    expect(testid("quota-result")).toBeNull();
  });

  it("clears the account's quota only after a confirmation naming it and its monthly resets", async () => {
    const s = detailShell();
    await mountConsole(`/authorizers/${APPID}`);
    expect(testid("quota-resets-left")!.dataset.left).toBe("3");
    testid("quota-query")!.click();
    await settle();
    testid("quota-clear-account")!.click();
    await settle();
    const body = testid("confirm-dialog-body")!.textContent!;
    expect(body).toContain("小程序一号");
    expect(body).toContain(APPID);
    expect(body).toContain("10 次清零中的一次");
    expect(s.count("authorizer_clear_quota")).toBe(0);
    testid("quota-clear-account-confirm")!.click();
    await settle();
    expect(s.args("authorizer_clear_quota")).toEqual([{ appid: APPID }]);
    expect(testid("quota-resets-left")!.dataset.left).toBe("2");
    // The numbers shown are read again after the clear.
    expect(testid("quota-used")!.textContent).toBe("0");
  });

  it("disables the clear when the month's resets are used", async () => {
    detailShell({ authorizer_quota_resets: () => ({ appid: APPID, resets_this_month: 10, resets_left: 0 }) });
    await mountConsole(`/authorizers/${APPID}`);
    expect(testid("quota-clear-account")!.hasAttribute("disabled")).toBe(true);
  });
});
