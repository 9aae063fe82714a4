import { describe, expect, it } from "vitest";
import { mockShell, mountConsole, settle, type Handler } from "./helpers";
import type { AuditEntry, AuditPage, CommandError, Explanation } from "../src/api";
import { usePrefsStore } from "../src/stores/prefs";
import { useProfilesStore } from "../src/stores/profiles";

function entry(id: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: 1_795_000_000 + id,
    profile_id: 1,
    endpoint: "/cgi-bin/component/api_component_token",
    appid: null,
    errcode: 0,
    duration_ms: 120,
    detail: null,
    rid: null,
    token_param: null,
    ...over,
  };
}

const PAGE: AuditPage = {
  total: 4,
  rows: [
    entry(4, { endpoint: "/cgi-bin/component/api_authorizer_token", appid: "wx00000000000000a1", errcode: 61023, detail: '{"request":{"authorizer_refresh_token":"••••"}}' }),
    entry(3, { endpoint: "/cgi-bin/component/api_create_preauthcode", errcode: 61004 }),
    entry(2, { endpoint: "/cgi-bin/component/api_get_authorizer_info", errcode: 61023 }),
    entry(1, { errcode: null }),
  ],
};

function explanation(errcode: number): Explanation {
  const texts: Record<number, [string, string]> = {
    61023: ["刷新令牌无效", "The refresh token is invalid"],
    61004: ["调用 IP 不在白名单中", "The caller IP is not whitelisted"],
  };
  const [zh, en] = texts[errcode] ?? ["未知错误", "Unknown error"];
  return { errcode, known: true, kind: "auth", zh, en, hint_zh: `提示 ${errcode}`, hint_en: `Hint ${errcode}`, retryable: false, client_ip: null, rid: null };
}

const handlers = (over: Record<string, Handler> = {}): Record<string, Handler> => ({
  audit_list: () => PAGE,
  errcode_explain: (args) => explanation(Number(args.errcode)),
  ...over,
});

const rows = (): HTMLElement[] => [...document.querySelectorAll<HTMLElement>("[data-testid='activity-row']")];
const explained = (): string[] =>
  [...document.querySelectorAll<HTMLElement>("[data-testid='activity-explanation']")].map((e) => e.textContent?.trim() ?? "");

describe("activity", () => {
  it("lists the calls and explains each distinct errcode once, in Chinese", async () => {
    const shell = mockShell(undefined, handlers());
    await mountConsole("/activity");
    expect(shell.args("audit_list")).toEqual([
      { query: { endpoint: null, appid: null, errors_only: false, since: null, limit: 20, offset: 0 } },
    ]);
    expect(rows().map((r) => [r.dataset.endpoint, r.dataset.errcode])).toEqual([
      ["/cgi-bin/component/api_authorizer_token", "61023"],
      ["/cgi-bin/component/api_create_preauthcode", "61004"],
      ["/cgi-bin/component/api_get_authorizer_info", "61023"],
      ["/cgi-bin/component/api_component_token", ""],
    ]);
    expect(shell.args("errcode_explain")).toEqual([
      { errcode: 61023, errmsg: null },
      { errcode: 61004, errmsg: null },
    ]);
    expect(explained()).toEqual(["刷新令牌无效", "调用 IP 不在白名单中", "刷新令牌无效"]);
    expect(rows()[3]!.textContent).toContain("成功");
    expect(rows()[0]!.textContent).toContain("120 毫秒");
  });

  it("explains in English when the interface is in English, without asking again", async () => {
    const shell = mockShell(undefined, handlers());
    localStorage.clear();
    const { byTestId } = await mountConsole("/activity");
    byTestId("lang-toggle").click();
    await settle();
    expect(usePrefsStore().locale).toBe("en");
    expect(explained()).toEqual(["The refresh token is invalid", "The caller IP is not whitelisted", "The refresh token is invalid"]);

    byTestId("activity-refresh").click();
    await settle();
    expect(shell.count("audit_list")).toBe(2);
    expect(shell.count("errcode_explain")).toBe(2);
  });

  it("shows each endpoint by its own name and the full path on hover, never a cut path", async () => {
    mockShell(undefined, handlers({
      audit_list: () => ({
        total: 2,
        rows: [entry(2, { endpoint: "/cgi-bin/component/api_get_authorizer_info" }), entry(1, { endpoint: "/cgi-bin/openapi/quota/get" })],
      }),
    }));
    await mountConsole("/activity");
    const cells = [...document.querySelectorAll<HTMLElement>("[data-testid='activity-endpoint']")];
    expect(cells.map((c) => [c.textContent?.trim(), c.title])).toEqual([
      ["api_get_authorizer_info", "/cgi-bin/component/api_get_authorizer_info"],
      // A bare "get" says nothing: its parent comes along.
      ["quota/get", "/cgi-bin/openapi/quota/get"],
    ]);
    // No TDesign ellipsis (it cut the path's start, the part nobody needs).
    expect(document.querySelector("[data-testid='activity-table'] .t-table__ellipsis, [data-testid='activity-table'] .t-text-ellipsis")).toBeNull();
  });

  it("shows the hint and the redacted detail when a row is opened", async () => {
    mockShell(undefined, handlers());
    await mountConsole("/activity");
    rows()[0]!.click();
    await settle();
    const detail = document.querySelector<HTMLElement>("[data-testid='activity-detail']");
    expect(detail?.textContent).toContain('"authorizer_refresh_token": "••••"');
    expect(document.body.textContent).toContain("提示 61023");
  });

  it("says so when nothing was called yet", async () => {
    const shell = mockShell();
    const { text } = await mountConsole("/activity");
    expect(text("activity-empty")).toBe("还没有接口调用记录。");
    expect(rows()).toHaveLength(0);
    expect(shell.count("errcode_explain")).toBe(0);
  });

  it("shows the loading state while the log is read", async () => {
    let release: (p: AuditPage) => void = () => {};
    mockShell(undefined, handlers({ audit_list: () => new Promise<AuditPage>((r) => (release = r)) }));
    const { byTestId } = await mountConsole("/activity");
    expect(byTestId("activity-table").querySelector(".t-loading")).not.toBeNull();
    expect(document.querySelector("[data-testid='activity-empty']")).toBeNull();
    release(PAGE);
    await settle();
    expect(rows()).toHaveLength(4);
  });

  it("explains a failure to read the log", async () => {
    const failure: CommandError = { code: "storage", message: "database is locked", hint: "close the other instance", errcode: null, explanation: null };
    mockShell(undefined, handlers({ audit_list: () => { throw failure; } }));
    const { byTestId } = await mountConsole("/activity");
    expect(byTestId("error-toast").textContent).toContain("database is locked");
    expect(byTestId("activity-error").textContent).toContain("database is locked");
    expect(document.querySelector("[data-testid='activity-empty']")).toBeNull();
  });

  it("filters by errors only, endpoint, appid and period, and reloads on a profile switch", async () => {
    const shell = mockShell(undefined, handlers());
    const { byTestId, wrapper } = await mountConsole("/activity");

    byTestId("activity-errors-only").click();
    await settle();
    expect(shell.args("audit_list").at(-1)).toMatchObject({ query: { errors_only: true, offset: 0 } });

    const endpoint = byTestId("activity-filter-endpoint").querySelector("input")!;
    endpoint.value = " /cgi-bin/component/api_authorizer_token ";
    endpoint.dispatchEvent(new Event("input", { bubbles: true }));
    endpoint.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", bubbles: true }));
    await settle();
    expect(shell.args("audit_list").at(-1)).toMatchObject({
      query: { endpoint: "/cgi-bin/component/api_authorizer_token", errors_only: true },
    });

    const appid = byTestId("activity-filter-appid").querySelector("input")!;
    appid.value = "wx00000000000000a1";
    appid.dispatchEvent(new Event("input", { bubbles: true }));
    byTestId("activity-refresh").click();
    await settle();
    expect(shell.args("audit_list").at(-1)).toMatchObject({ query: { appid: "wx00000000000000a1" } });

    const before = Math.floor(Date.now() / 1000);
    wrapper.findComponent({ name: "ActivityFilters" }).vm.$emit("update:since", "day");
    await settle();
    const since = (shell.args("audit_list").at(-1)!.query as { since: number }).since;
    expect(since).toBeGreaterThanOrEqual(before - 86_400);
    expect(since).toBeLessThanOrEqual(before - 86_400 + 5);

    const count = shell.count("audit_list");
    await useProfilesStore().changed();
    await settle();
    expect(shell.count("audit_list")).toBe(count + 1);
  });
});
