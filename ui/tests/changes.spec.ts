import { describe, expect, it } from "vitest";
import { mockShell, mountConsole, settle, type Handler } from "./helpers";
import type { AuthorizerChanges, ChangeCounts, ChangeRow, SyncChanges } from "../src/api";
import { countsShown, describeChange, permissionNames } from "../src/views/Changes/changes";
import { usePrefsStore } from "../src/stores/prefs";

const ZERO: ChangeCounts = {
  authorized: 0, revoked: 0, reauthorized: 0, renamed: 0, permissions: 0, verify_type: 0, principal: 0, service_type: 0,
};

function sync(id: number, over: Partial<SyncChanges> = {}): SyncChanges {
  return {
    sync_run_id: id, state: "done", with_details: true, started_at: 1_795_000_000 + id, finished_at: 1_795_000_100 + id,
    baseline_accounts: null, counts: ZERO, total: 0, ...over,
  };
}

function change(id: number, over: Partial<ChangeRow> = {}): ChangeRow {
  return {
    id, sync_run_id: 2, appid: "wx00000000000000a1", nick_name: "示例公众号", account_kind: "official_account",
    kind: "renamed", field: "nick_name", old: "旧名字", new: "示例公众号", added: [], removed: [], at: 1_795_000_050, ...over,
  };
}

const SYNCS = [
  sync(2, { counts: { ...ZERO, renamed: 1, permissions: 1, revoked: 1 }, total: 3 }),
  sync(1, { baseline_accounts: 20 }),
];
const ROWS = [
  change(3),
  change(2, { appid: "wx00000000000000a2", kind: "permissions", field: "func_info", old: "[15]", new: "[1,999]", added: [1, 999], removed: [15] }),
  change(1, { appid: "wx00000000000000a3", nick_name: "", kind: "revoked", field: "status", old: "authorized", new: "revoked" }),
];

function answer(args: Record<string, unknown>): AuthorizerChanges {
  const q = args.query as { sync_run_id: number | null; kind: string | null; query: string | null };
  let rows = q.sync_run_id === 2 ? ROWS : q.sync_run_id === 1 ? [change(9, { appid: "", nick_name: "", kind: "baseline", field: "accounts", old: null, new: "20" })] : [];
  if (q.kind) rows = rows.filter((r) => r.kind === q.kind);
  if (q.query) rows = rows.filter((r) => r.appid.includes(q.query!) || r.nick_name.includes(q.query!));
  return { total: rows.length, rows, syncs: SYNCS };
}

const handlers = (over: Record<string, Handler> = {}): Record<string, Handler> => ({
  authorizer_changes: answer,
  ...over,
});

const rows = (): HTMLElement[] => [...document.querySelectorAll<HTMLElement>("[data-testid='changes-row']")];
const kinds = (): string[] => rows().map((r) => r.dataset.kind ?? "");
const t = (key: string, named?: Record<string, unknown>) => `${key}${named ? JSON.stringify(named) : ""}`;

describe("changes view", () => {
  it("lists the syncs with their counts and shows the newest sync's changes, permissions by name", async () => {
    const shell = mockShell(undefined, handlers());
    await mountConsole("/changes");
    const syncIds = [...document.querySelectorAll<HTMLElement>("[data-testid='changes-sync']")].map((s) => s.dataset.syncId);
    expect(syncIds).toEqual(["2", "1"]);
    const counts = [...document.querySelectorAll<HTMLElement>("[data-testid='changes-sync-count']")].map((c) => c.textContent?.trim());
    expect(counts).toEqual(["取消授权 1", "改名 1", "权限集 1"]);
    expect(document.querySelector("[data-testid='changes-sync-baseline']")?.textContent).toContain("20");
    // The first ask learns the syncs; the second asks for the newest one's changes.
    expect(shell.args("authorizer_changes").map((a) => (a.query as { sync_run_id: number | null }).sync_run_id)).toEqual([null, 2]);
    expect(kinds()).toEqual(["renamed", "permissions", "revoked"]);
    expect(rows()[0]!.textContent).toContain("旧名字 → 示例公众号");
    const added = [...document.querySelectorAll("[data-testid='changes-perm-added']")].map((e) => e.textContent?.trim());
    const removed = [...document.querySelectorAll("[data-testid='changes-perm-removed']")].map((e) => e.textContent?.trim());
    expect(added).toEqual(["+ 消息管理", "+ #999"]);
    expect(removed).toEqual(["− 自定义菜单"]);
    expect(rows()[2]!.textContent).toContain("已授权 → 已取消");
  });

  it("filters by kind and by text, and selects another sync", async () => {
    const shell = mockShell(undefined, handlers());
    const { byTestId } = await mountConsole("/changes");
    byTestId("changes-kind-permissions").click();
    await settle();
    expect(kinds()).toEqual(["permissions"]);
    expect(shell.args("authorizer_changes").at(-1)!.query).toMatchObject({ sync_run_id: 2, kind: "permissions", offset: 0 });
    byTestId("changes-kind-all").click();
    await settle();
    const input = byTestId("changes-search").querySelector("input")!;
    input.value = "a3";
    input.dispatchEvent(new Event("input"));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    byTestId("changes-refresh").click();
    await settle();
    expect(kinds()).toEqual(["revoked"]);
    expect(shell.args("authorizer_changes").at(-1)!.query).toMatchObject({ query: "a3" });
    input.value = "";
    input.dispatchEvent(new Event("input"));
    byTestId("changes-refresh").click();
    await settle();
    (document.querySelector("[data-testid='changes-sync'][data-sync-id='1']") as HTMLElement).click();
    await settle();
    expect(kinds()).toEqual(["baseline"]);
    expect(rows()[0]!.textContent).toContain("首次同步：20 个账号记为基线");
  });

  it("opens the authorizer's detail from its appid", async () => {
    mockShell(undefined, handlers({ authorizer_view: () => { throw { code: "not_found", message: "no", hint: null }; } }));
    const { router } = await mountConsole("/changes");
    (rows()[1]!.querySelector("[data-testid='changes-appid']") as HTMLElement).click();
    await settle();
    expect(router.currentRoute.value.path).toBe("/authorizers/wx00000000000000a2");
  });

  it("says so when there is no sync yet, and speaks English after the switch", async () => {
    mockShell(undefined, handlers({ authorizer_changes: () => ({ total: 0, rows: [], syncs: [] }) }));
    localStorage.clear();
    const { byTestId, text } = await mountConsole("/changes");
    expect(text("changes-no-syncs")).toContain("还没有同步记录");
    byTestId("lang-toggle").click();
    await settle();
    expect(usePrefsStore().locale).toBe("en");
    expect(text("changes-no-syncs")).toContain("No syncs yet");
    expect(text("page-title")).toBe("Changes");
  });
});

describe("change texts", () => {
  it("names each kind's old and new values", () => {
    expect(describeChange(t, change(1, { kind: "verify_type", field: "verify_type", old: "-1", new: "0" }))).toBe(
      "authorizers.verify.unverified → authorizers.verify.wechat",
    );
    expect(describeChange(t, change(1, { kind: "reauthorized", field: "status", old: "revoked", new: "authorized" }))).toBe(
      "changes.statusValue.revoked → changes.statusValue.authorized",
    );
    expect(describeChange(t, change(1, { kind: "reauthorized", field: "auth_time", old: "0", new: null }))).toBe(
      'changes.authTime{"old":"—","new":"—"}',
    );
    expect(describeChange(t, change(1, { kind: "principal", field: "principal_name", old: "甲公司", new: "乙公司" }))).toBe("甲公司 → 乙公司");
    expect(describeChange(t, change(1, { kind: "baseline", appid: "", new: "7" }))).toBe('changes.baseline{"n":"7"}');
    expect(describeChange(t, change(1, { kind: "permissions" }))).toBe("");
  });

  it("shows permission ids by name in the interface language, and only non-zero counts", () => {
    expect(permissionNames([1, 15, 999], "en")).toEqual(["Message management", "Custom menu", "#999"]);
    expect(countsShown({ ...ZERO, principal: 2, authorized: 1 })).toEqual([
      { kind: "authorized", n: 1 },
      { kind: "principal", n: 2 },
    ]);
  });
});
