import { describe, expect, it } from "vitest";
import { mockShell, mountConsole, settle, type Handler } from "./helpers";
import type { HealthReport } from "../src/api";
import { useAuthorizersScreenStore } from "../src/stores/authorizersScreen";
import { usePrefsStore } from "../src/stores/prefs";
import { errcodeText, ticketText, tokenText } from "../src/views/Health/health";

const ZERO = { authorized: 0, revoked: 0, reauthorized: 0, renamed: 0, permissions: 0, verify_type: 0, principal: 0, service_type: 0 };

function report(over: Partial<HealthReport> = {}): HealthReport {
  return {
    profile: "sandbox",
    generated_at: 1_795_000_000,
    ticket: { present: true, received_at: 1_794_999_400, source: "sandbox", age_secs: 600, valid_for_secs: 42_600, valid: true, tail: "••••tick", shared_key: null },
    ticket_error: null,
    component_token: { profile: "sandbox", token_source: "local", cached: true, expires_at: 1_795_006_000, fetched_at: 1_794_999_000, expires_in: 6000, tail: "••••abcd", shared: null },
    counts: { total: 20, authorized: 17, revoked: 2, needs_reauth: 1, missing_refresh_token: 3, without_details: 0 },
    needs_reauth: { count: 1, sample: ["wx00000000000000a1"] },
    missing_refresh_token: { count: 3, sample: ["wx00000000000000b1", "wx00000000000000b2", "wx00000000000000b3"] },
    last_sync: {
      sync_run_id: 7, state: "done", with_details: true, started_at: 1_794_999_000, finished_at: 1_794_999_100,
      baseline_accounts: null, counts: { ...ZERO, revoked: 2, authorized: 1, permissions: 1 }, total: 4,
      permission_changes: [
        {
          id: 11, sync_run_id: 7, appid: "wx00000000000000c1", nick_name: "示例小程序", account_kind: "mini_program", kind: "permissions",
          field: "func_info", old: "[15]", new: "[1]", added: [1], removed: [15], at: 1_794_999_050,
        },
      ],
    },
    quota: { resets_this_month: 1, resets_left: 9 },
    top_errcodes: [
      {
        errcode: 61023, count: 4, last_at: 1_794_999_900, last_endpoint: "/cgi-bin/component/api_authorizer_token",
        explanation: { errcode: 61023, known: true, kind: "auth", zh: "刷新令牌无效", en: "The refresh token is invalid", hint_zh: "", hint_en: "", retryable: false, client_ip: null, rid: null },
      },
    ],
    ...over,
  };
}

const handlers = (r: HealthReport, over: Record<string, Handler> = {}): Record<string, Handler> => ({
  health: () => r,
  authorizer_changes: () => ({ total: 0, rows: [], syncs: [] }),
  ...over,
});

const row = (name: string): HTMLElement => document.querySelector<HTMLElement>(`[data-testid='health-${name}']`)!;

describe("health page", () => {
  it("shows what needs attention, with the latest sync's changes and the errcodes explained", async () => {
    mockShell(undefined, handlers(report()));
    const { text } = await mountConsole("/health");
    expect(text("page-title")).toBe("健康");
    expect(row("needs-reauth").dataset.attention).toBe("1");
    expect(text("health-needs-reauth-value")).toBe("1 个账号");
    expect(row("needs-reauth").textContent).toContain("wx00000000000000a1");
    expect(row("missing-refresh").dataset.count).toBe("3");
    expect(row("ticket").dataset.attention).toBe("0");
    expect(text("health-last-sync")).toContain("第 7 次同步");
    expect(row("revoked").dataset.count).toBe("2");
    expect(row("authorized").dataset.attention).toBe("0");
    expect(document.querySelector("[data-testid='health-permission-change']")!.textContent).toContain("+ 消息管理");
    expect(text("health-quota-value")).toBe("9 / 10");
    expect(document.querySelector("[data-testid='health-errcode']")!.textContent).toContain("61023 · 4 次 · 刷新令牌无效 · api_authorizer_token");
  });

  it("links each row to the filtered list", async () => {
    const shell = mockShell(undefined, handlers(report()));
    const { router, byTestId } = await mountConsole("/health");
    byTestId("health-needs-reauth-action").click();
    await settle();
    expect(router.currentRoute.value.path).toBe("/authorizers");
    expect(useAuthorizersScreenStore().filters.status).toBe("needs_reauth");
    await router.push("/health");
    await settle();
    byTestId("health-revoked-action").click();
    await settle();
    expect(router.currentRoute.value.fullPath).toBe("/changes?sync=7&kind=revoked");
    // The Changes screen opens on that sync and kind.
    expect(shell.args("authorizer_changes")[0]!.query).toMatchObject({ sync_run_id: 7, kind: "revoked" });
    await router.push("/health");
    await settle();
    byTestId("health-errcodes-action").click();
    await settle();
    expect(router.currentRoute.value.fullPath).toBe("/activity?errors=1&since=day");
    // Activity opens on the failed calls of the last day.
    const asked = shell.args("audit_list").at(-1)!.query as { errors_only: boolean; since: number | null };
    expect(asked.errors_only).toBe(true);
    expect(asked.since).not.toBeNull();
  });

  it("recovers refresh tokens with a sync that re-reads the list", async () => {
    const shell = mockShell(undefined, handlers(report(), { sync_start: () => new Promise(() => undefined) }));
    const { router, byTestId } = await mountConsole("/health");
    byTestId("health-missing-refresh-action").click();
    await settle();
    expect(shell.args("sync_start")[0]).toMatchObject({ options: { details: true, restart: true } });
    expect(router.currentRoute.value.path).toBe("/authorizers");
  });

  it("speaks English after the switch, and says when nothing synced yet", async () => {
    mockShell(undefined, handlers(report({ last_sync: null, top_errcodes: [] })));
    localStorage.clear();
    const { byTestId, text } = await mountConsole("/health");
    byTestId("lang-toggle").click();
    await settle();
    expect(usePrefsStore().locale).toBe("en");
    expect(text("health-last-sync")).toBe("No finished sync yet");
    expect(text("health-errcodes-value")).toBe("No failed calls");
    expect(text("health-needs-reauth-value")).toBe("1 accounts");
  });
});

describe("health texts", () => {
  const t = (key: string, named?: Record<string, unknown>) => `${key}${named ? JSON.stringify(named) : ""}`;
  it("tells the ticket's and token's state", () => {
    expect(ticketText(t, report({ ticket: null, ticket_error: "redis down" }))).toBe('health.ticketError{"error":"redis down"}');
    const expired = report();
    expired.ticket = { ...expired.ticket!, valid: false, age_secs: 50_000 };
    expect(ticketText(t, expired)).toBe('health.ticketExpired{"age":"13h 53m 20s"}');
    const none = report();
    none.component_token = { ...none.component_token, expires_in: null };
    expect(tokenText(t, none)).toBe('health.tokenNone{"source":"health.source.local"}');
    expect(errcodeText(t, report().top_errcodes[0]!, "en")).toContain("The refresh token is invalid · api_authorizer_token");
  });
});
