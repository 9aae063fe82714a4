import { describe, expect, it } from "vitest";
import { mockShell, mountConsole, settle } from "./helpers";
import type { Health } from "../src/api";
import { usePrefsStore } from "../src/stores/prefs";

const NOW = 1_795_000_000;

function health(over: Partial<Health> = {}): Health {
  return {
    generated_at: NOW,
    ticket: { present: true, received_at: NOW - 300, source: "push", age_secs: 300, valid_for_secs: 42900, valid: true, tail: "••••tick", shared_key: null },
    ticket_error: null,
    component_token: { profile: "sandbox", token_source: "local", cached: true, expires_at: NOW + 3600, fetched_at: NOW - 3600, expires_in: 3600, tail: "••••abcd", shared: null },
    accounts: { total: 120, authorized: 115, revoked: 3, needs_reauth: 2, missing_refresh_token: 4, without_details: 0 },
    last_sync: null,
    previous_sync: null,
    needs_reauth: {
      count: 2,
      first: [
        { appid: "wx00000000000000a1", nick_name: "北京小店", at: NOW - 60 },
        { appid: "wx00000000000000a2", nick_name: "", at: NOW - 120 },
      ],
    },
    revoked_since_previous_sync: { count: 25, first: [{ appid: "wx00000000000000b1", nick_name: "上海书店", at: NOW - 30 }] },
    new_since_previous_sync: { count: 0, first: [] },
    quota: { resets_this_month: 3, resets_left: 7 },
    top_errcodes: [
      {
        errcode: 45009,
        count: 12,
        last_at: NOW - 10,
        endpoint: "/cgi-bin/component/api_get_authorizer_info",
        explanation: { errcode: 45009, known: true, kind: "quota", zh: "接口调用超过每日额度", en: "The daily API quota is spent", hint_zh: "", hint_en: "", retryable: false, client_ip: null, rid: null },
      },
    ],
    ...over,
  };
}

const count = (id: string): string | undefined => document.querySelector<HTMLElement>(`[data-testid='${id}']`)?.dataset.count;

describe("health", () => {
  it("shows what needs attention, with the accounts by name and the errcodes explained in Chinese", async () => {
    mockShell(undefined, { health: () => health() });
    const { text } = await mountConsole("/health");
    expect(text("page-title")).toBe("健康");
    expect(text("health-ticket")).toContain("有效");
    expect(text("health-token")).toContain("由本控制台获取");
    expect(count("health-reauth")).toBe("2");
    const reauth = [...document.querySelectorAll<HTMLElement>("[data-testid='health-reauth-account']")];
    // An account without a name shows its appid.
    expect(reauth.map((a) => a.textContent?.trim())).toEqual(["北京小店", "wx00000000000000a2"]);
    expect(count("health-revoked")).toBe("25");
    expect(text("health-revoked")).toContain("还有 24 个");
    expect(count("health-new")).toBe("0");
    expect(count("health-no-refresh")).toBe("4");
    expect(text("health-quota")).toContain("剩余 7 / 10 次");
    expect(text("health-errcode-text")).toBe("接口调用超过每日额度");
  });

  it("says the changes need two syncs rather than showing zero", async () => {
    mockShell(undefined, { health: () => health({ revoked_since_previous_sync: null, new_since_previous_sync: null }) });
    const { text } = await mountConsole("/health");
    expect(count("health-revoked")).toBe("");
    expect(text("health-revoked")).toContain("完成两次完整同步后显示");
  });

  it("follows the language switch", async () => {
    mockShell(undefined, { health: () => health() });
    localStorage.clear();
    const { byTestId, text } = await mountConsole("/health");
    byTestId("lang-toggle").click();
    await settle();
    expect(usePrefsStore().locale).toBe("en");
    expect(text("page-title")).toBe("Health");
    expect(text("health-errcode-text")).toBe("The daily API quota is spent");
  });

  it("opens the table filtered to the group, and Activity on the failed calls of an errcode", async () => {
    const shell = mockShell(undefined, { health: () => health() });
    const { byTestId, router } = await mountConsole("/health");
    byTestId("health-reauth-table").click();
    await settle();
    expect(router.currentRoute.value.path).toBe("/authorizers");
    const search = shell.args("authorizers_search").at(-1) as { query: { status: string; offset: number } };
    expect(search.query.status).toBe("needs_reauth");
    expect(search.query.offset).toBe(0);

    await router.push("/health");
    await settle();
    document.querySelector<HTMLElement>("[data-testid='health-errcode'] a")!.click();
    await settle();
    expect(router.currentRoute.value.path).toBe("/activity");
    const audit = shell.args("audit_list").at(-1) as { query: { errors_only: boolean; endpoint: string; since: number | null } };
    expect(audit.query.errors_only).toBe(true);
    expect(audit.query.endpoint).toBe("/cgi-bin/component/api_get_authorizer_info");
    expect(audit.query.since).not.toBeNull();
  });

  it("explains a failed load and retries", async () => {
    let fail = true;
    const shell = mockShell(undefined, {
      health: () => {
        if (fail) throw { code: "store", message: "database is locked", hint: "try again" };
        return health();
      },
    });
    const { byTestId } = await mountConsole("/health");
    expect(byTestId("health-error").textContent).toContain("database is locked");
    fail = false;
    byTestId("health-error").querySelector<HTMLElement>("button")!.click();
    await settle();
    expect(shell.count("health")).toBe(2);
    expect(count("health-reauth")).toBe("2");
  });
});
