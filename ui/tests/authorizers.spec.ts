import { describe, expect, it, vi } from "vitest";
import type { Channel } from "@tauri-apps/api/core";
import type { AuthorizerQuery, SyncOutcome, SyncProgress } from "../src/api";
import { useProfilesStore } from "../src/stores/profiles";
import { mockShell, mountConsole, settle, type Handler } from "./helpers";
import { COUNTS, failure, row, rows, run } from "./authorizers.fixtures";

/**
 * Answers a search with a page of `total` rows, numbered by offset. Pages are cut to `shown`
 * rows: the table renders slowly in happy-dom, and a few rows say as much as fifty.
 */
function pages(total = 120, shown = 5): Handler {
  return (args) => {
    const q = args.query as AuthorizerQuery;
    const offset = q.offset ?? 0;
    const count = Math.max(0, Math.min(q.limit ?? 50, shown, total - offset));
    return { total, rows: rows(offset, count) };
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string): T | null => document.querySelector<T>(sel);
const testid = (id: string): HTMLElement | null => $(`[data-testid="${id}"]`);
const bodyRows = (): HTMLElement[] => [...document.querySelectorAll<HTMLElement>("[data-testid=authorizer-row]")];

async function type(value: string): Promise<void> {
  const input = $<HTMLInputElement>("[data-testid=authorizers-search] input")!;
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pick(selectId: string, label: string): Promise<void> {
  testid(selectId)!.querySelector<HTMLElement>("input")!.click();
  await settle();
  const option = [...document.querySelectorAll<HTMLElement>(".t-select-option")].find((o) => o.textContent?.trim() === label);
  if (!option) throw new Error(`no option ${label}`);
  option.click();
  await settle();
}

/** The newest toast: earlier tests' toasts may still be fading out. */
function lastToast(): string {
  const all = document.querySelectorAll<HTMLElement>("[data-testid='error-toast']");
  return all[all.length - 1]?.textContent ?? "";
}

// Mounting the whole app with a TDesign table is slow in happy-dom.
vi.setConfig({ testTimeout: 20_000 });

describe("authorizers table", () => {
  it("shows a loading table while the first page is on its way", async () => {
    const pending = deferred<unknown>();
    mockShell(undefined, { authorizers_search: () => pending.promise });
    await mountConsole("/authorizers");
    expect(testid("authorizers-table")!.dataset.loading).toBe("true");
    expect(testid("authorizers-empty")).toBeNull();
    pending.resolve({ total: 1, rows: [row(1)] });
    await settle();
    expect(testid("authorizers-table")!.dataset.loading).toBe("false");
    expect(bodyRows()).toHaveLength(1);
  });

  it("suggests a sync when there are no accounts yet", async () => {
    mockShell();
    await mountConsole("/authorizers");
    expect(testid("authorizers-empty")!.textContent).toContain("同步");
    expect(testid("authorizers-table")).toBeNull();
    expect(testid("authorizers-total")!.dataset.total).toBe("0");
    expect(testid("sync-last")!.textContent).toContain("尚未同步");
  });

  it("lists one server page with the totals and reports the first paint once", async () => {
    const shell = mockShell(undefined, { authorizers_search: pages(120), authorizers_counts: () => COUNTS });
    const { wrapper, router } = await mountConsole("/authorizers");
    expect(bodyRows()).toHaveLength(5);
    expect(bodyRows()[0]!.dataset.appid).toBe(row(0).appid);
    expect(bodyRows()[0]!.textContent).toContain("账号0");
    expect(bodyRows()[0]!.textContent).toContain("公众号");
    expect(bodyRows()[1]!.textContent).toContain("小程序");
    expect(bodyRows()[0]!.textContent).toContain("已授权");
    expect(testid("authorizers-total")!.dataset.total).toBe("120");
    expect(testid("authorizers-total")!.textContent).toContain("120");
    expect(testid("authorizers-counts")!.textContent).toContain("已取消授权 6");
    expect(shell.args("authorizers_search")[0]).toEqual({
      query: { query: null, kind: null, verify_type: null, status: null, has_open: null, sort: "nick_name", desc: false, limit: 50, offset: 0 },
    });
    await vi.waitFor(() => expect(shell.count("ui_table_painted")).toBe(1));

    // Leaving and coming back repaints the table, but the benchmark signal is sent once.
    await router.push("/tokens").catch(() => undefined);
    await settle();
    await router.push("/authorizers");
    await settle();
    await wait(50);
    expect(shell.count("ui_table_painted")).toBe(1);
    wrapper.unmount();
  });

  it("cuts long names with a CSS ellipsis and shows them whole in a native title", async () => {
    const long = "一个名字非常非常长的公众号".repeat(4);
    mockShell(undefined, {
      authorizers_search: () => ({ total: 1, rows: [row(1, { nick_name: long, principal_name: `${long}有限公司` })] }),
    });
    await mountConsole("/authorizers");
    const [first] = bodyRows();
    const cut = [...first!.querySelectorAll<HTMLElement>("td.authorizers-table__cut")];
    // nickname, verify type, principal
    expect(cut).toHaveLength(3);
    expect(cut[0]!.querySelector("[title]")!.getAttribute("title")).toBe(long);
    expect(cut[2]!.querySelector("[title]")!.getAttribute("title")).toBe(`${long}有限公司`);
    // No tooltip component per cell (TDesign's `ellipsis` option): that is what the CSS replaces.
    expect(first!.querySelector(".t-table__ellipsis, .t-text-ellipsis")).toBeNull();
  });

  it("keeps every header and cell on one line in both languages, full texts in titles", async () => {
    localStorage.clear();
    mockShell(undefined, {
      authorizers_search: () => ({ total: 2, rows: [row(0), row(1, { status: "needs_reauth" })] }),
    });
    const { byTestId } = await mountConsole("/authorizers");
    const heads = () => [...document.querySelectorAll<HTMLElement>("[data-testid='authorizers-head']")].map((h) => [h.textContent, h.title]);
    const kinds = () => [...document.querySelectorAll<HTMLElement>("[data-testid='authorizer-kind']")].map((k) => [k.textContent, k.title]);
    // TDesign sizes a fixed-layout table by its <col> widths, in column order.
    const kindWidth = () => parseInt(byTestId("authorizers-table").querySelectorAll<HTMLElement>("colgroup col")[3]!.style.width, 10);
    expect(heads()[0]).toEqual(["头像", "头像"]);
    expect(kinds()).toEqual([["公众号", "公众号"], ["小程序", "小程序"]]);

    byTestId("lang-toggle").click();
    await settle();
    expect(heads()).toEqual(
      ["Avatar", "Name", "AppID", "Kind", "Verification", "Principal", "Authorized at", "Status", "Token"].map((h) => [h, h]),
    );
    expect(kinds()).toEqual([["Official account", "Official account"], ["Mini program", "Mini program"]]);
    // "Official account" fits on one line at 14 px (≈ 105 px) with the cell's padding.
    expect(kindWidth()).toBeGreaterThanOrEqual(120);
    const status = bodyRows()[1]!.querySelector<HTMLElement>("[data-status='needs_reauth']")!;
    expect(status.querySelector<HTMLElement>("[title]")!.title).toBe("Needs re-authorization");
  });

  it("shows a details error as a warning icon and a missing refresh token", async () => {
    mockShell(undefined, {
      authorizers_search: () => ({ total: 2, rows: [row(1, { details_error: "61003 unauthorized" }), row(2, { has_refresh_token: false, status: "needs_reauth" })] }),
    });
    await mountConsole("/authorizers");
    const [first, second] = bodyRows();
    expect(first!.querySelector("[data-testid=authorizer-details-error]")).not.toBeNull();
    expect(second!.querySelector("[data-has-refresh-token=false]")).not.toBeNull();
    expect(second!.textContent).toContain("需重新授权");
  });

  it("explains a failed load and retries", async () => {
    let fail = true;
    const shell = mockShell(undefined, {
      authorizers_search: (args) => {
        if (fail) throw failure();
        return pages(3)(args);
      },
    });
    await mountConsole("/authorizers");
    const alert = testid("authorizers-error")!;
    expect(alert.textContent).toContain("调用方 IP 不在白名单中");
    expect(alert.textContent).toContain("203.0.113.7");
    expect(testid("authorizers-empty")).toBeNull();
    fail = false;
    testid("authorizers-retry")!.click();
    await settle();
    expect(testid("authorizers-error")).toBeNull();
    expect(bodyRows()).toHaveLength(3);
    expect(shell.count("authorizers_search")).toBe(2);
  });

  it("searches as you type (debounced) and never lets a stale answer win", async () => {
    const answers: { q: string; d: ReturnType<typeof deferred<unknown>> }[] = [];
    const shell = mockShell(undefined, {
      authorizers_search: (args) => {
        const q = (args.query as AuthorizerQuery).query ?? "";
        if (q === "") return { total: 120, rows: rows(0, 50) };
        const d = deferred<unknown>();
        answers.push({ q, d });
        return d.promise;
      },
    });
    await mountConsole("/authorizers");
    const before = shell.count("authorizers_search");

    // Typed quickly: one query, for the last text.
    await type("账");
    await type("账号");
    await type("账号1");
    await wait(300);
    await settle();
    expect(shell.count("authorizers_search")).toBe(before + 1);
    expect(answers.map((a) => a.q)).toEqual(["账号1"]);

    await type("账号12");
    await wait(300);
    await settle();
    // The newer answer arrives first; the older one, arriving later, is dropped.
    answers[1]!.d.resolve({ total: 1, rows: [row(12)] });
    await settle();
    answers[0]!.d.resolve({ total: 11, rows: rows(10, 11) });
    await settle();
    expect(testid("authorizers-total")!.dataset.total).toBe("1");
    expect(bodyRows().map((r) => r.dataset.appid)).toEqual([row(12).appid]);
    const last = shell.args("authorizers_search").at(-1)!.query as AuthorizerQuery;
    expect(last).toMatchObject({ query: "账号12", offset: 0 });
  });

  it("filters by kind and status, back on the first page", async () => {
    const shell = mockShell(undefined, { authorizers_search: pages(500) });
    await mountConsole("/authorizers");
    $<HTMLElement>(".t-pagination__btn-next")!.click();
    await settle();
    expect((shell.args("authorizers_search").at(-1)!.query as AuthorizerQuery).offset).toBe(50);

    await pick("filter-kind", "小程序");
    expect(shell.args("authorizers_search").at(-1)!.query).toMatchObject({ kind: "mini_program", offset: 0 });
    await pick("filter-status", "已取消授权");
    expect(shell.args("authorizers_search").at(-1)!.query).toMatchObject({ kind: "mini_program", status: "revoked", offset: 0 });
    testid("filters-clear")!.click();
    await settle();
    expect(shell.args("authorizers_search").at(-1)!.query).toMatchObject({ kind: null, status: null });
  });

  it("says nothing matches when a filtered search finds nothing", async () => {
    mockShell(undefined, {
      authorizers_search: (args) => ((args.query as AuthorizerQuery).query ? { total: 0, rows: [] } : pages(3)(args)),
    });
    await mountConsole("/authorizers");
    await type("nothing");
    await wait(300);
    await settle();
    expect(testid("authorizers-empty")).toBeNull();
    expect(testid("authorizers-table")!.textContent).toContain("没有符合条件的授权方");
    expect(testid("authorizers-total")!.dataset.total).toBe("0");
  });

  it("pages and sorts on the server", async () => {
    const shell = mockShell(undefined, { authorizers_search: pages(1000) });
    await mountConsole("/authorizers");
    $<HTMLElement>(".t-pagination__btn-next")!.click();
    await settle();
    expect(bodyRows()[0]!.dataset.appid).toBe(row(50).appid);
    expect(shell.args("authorizers_search").at(-1)!.query).toMatchObject({ limit: 50, offset: 50 });

    const sortIcon = (dir: "asc" | "desc") => $<HTMLElement>(`th[data-colkey=auth_time] .t-table-sort-${dir}`)!;
    sortIcon("asc").click();
    await settle();
    expect(shell.args("authorizers_search").at(-1)!.query).toMatchObject({ sort: "auth_time", desc: false, offset: 0 });
    sortIcon("desc").click();
    await settle();
    expect(shell.args("authorizers_search").at(-1)!.query).toMatchObject({ sort: "auth_time", desc: true });
    // Clicking the active direction again clears the sort: back to the default order.
    sortIcon("desc").click();
    await settle();
    expect(shell.args("authorizers_search").at(-1)!.query).toMatchObject({ sort: "nick_name", desc: false });
  });

  it("opens the detail on a click or on Enter", async () => {
    mockShell(undefined, {
      authorizers_search: pages(3),
      authorizer_view: (args) => {
        throw failure(40013, `not found ${String(args.appid)}`);
      },
      option_get: () => {
        throw failure();
      },
      open_get: () => {
        throw failure();
      },
    });
    await mountConsole("/authorizers");
    bodyRows()[1]!.click();
    await settle();
    expect(testid("authorizer-detail")!.dataset.appid).toBe(row(1).appid);
    expect(testid("detail-appid")!.textContent).toBe(row(1).appid);
    testid("detail-close")!.click();
    await settle();
    expect(testid("authorizer-detail")).toBeNull();

    bodyRows()[2]!.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await settle();
    expect(testid("authorizer-detail")!.dataset.appid).toBe(row(2).appid);
  });

  it("reloads when the profile changes and when another screen announces new accounts", async () => {
    const shell = mockShell(undefined, { authorizers_search: pages(3) });
    const { wrapper } = await mountConsole("/authorizers");
    const before = shell.count("authorizers_search");
    window.dispatchEvent(new Event("wxopen:authorizers-changed"));
    await settle();
    expect(shell.count("authorizers_search")).toBe(before + 1);
    expect(shell.count("authorizers_counts")).toBeGreaterThanOrEqual(2);

    const profiles = useProfilesStore(wrapper.vm.$pinia);
    profiles.generation++;
    await settle();
    expect(shell.count("authorizers_search")).toBe(before + 2);
    expect(shell.count("sync_latest")).toBeGreaterThanOrEqual(2);
  });
});

describe("authorizers sync", () => {
  function progress(over: Partial<SyncProgress>): SyncProgress {
    return { run_id: 7, phase: "list", listed: 0, list_total: 120, details_done: 0, details_total: null, errors: 0, revoked: 0, resumed: false, quota_remain: null, ...over };
  }

  it("starts a sync, shows its progress, refreshes rows as they arrive and reports the end", async () => {
    let channel: Channel<SyncProgress> | null = null;
    const done = deferred<SyncOutcome>();
    let listed = 0;
    const shell = mockShell(undefined, {
      authorizers_search: (args) => pages(listed)(args),
      sync_start: (args) => {
        channel = args.onProgress as Channel<SyncProgress>;
        return done.promise;
      },
      sync_cancel: () => true,
      sync_latest: () => ({ latest: run({ finished_at: 1_795_000_000 }), running: false }),
    });
    await mountConsole("/authorizers");
    expect(testid("sync-last")!.textContent).toContain("完成");
    expect(testid("authorizers-empty")).not.toBeNull();

    testid("sync-button")!.click();
    await settle();
    expect(shell.args("sync_start")[0]!.options).toEqual({ details: true, concurrency: null, restart: false });
    expect(testid("sync-button")!.hasAttribute("disabled")).toBe(true);

    listed = 100;
    channel!.onmessage(progress({ phase: "list", listed: 100 }));
    await settle();
    const bar = testid("sync-progress")!;
    expect(bar.dataset.phase).toBe("list");
    expect(bar.dataset.done).toBe("100");
    expect(bar.dataset.total).toBe("120");
    // Rows that arrived are shown while the sync still runs.
    await vi.waitFor(() => expect(bodyRows().length).toBe(5), { timeout: 3000 });

    channel!.onmessage(progress({ phase: "details", listed: 120, details_done: 30, details_total: 120, errors: 2 }));
    await settle();
    expect(testid("sync-progress")!.dataset.phase).toBe("details");
    expect(testid("sync-progress")!.dataset.done).toBe("30");
    expect(testid("sync-progress")!.dataset.errors).toBe("2");

    testid("sync-cancel")!.click();
    await settle();
    expect(shell.count("sync_cancel")).toBe(1);

    listed = 120;
    const searches = shell.count("authorizers_search");
    done.resolve({ run: run({ state: "cancelled" }), resumed: false, elapsed_ms: 1500, stop: null, quota_before: null, quota_after: null });
    await settle();
    expect(testid("sync-progress")).toBeNull();
    expect(testid("sync-outcome")!.dataset.state).toBe("cancelled");
    expect(testid("sync-outcome")!.textContent).toContain("已取消");
    expect(shell.count("authorizers_search")).toBeGreaterThan(searches);
    expect(testid("authorizers-total")!.dataset.total).toBe("120");
  });

  it("starts a sync by itself when asked with ?sync=1, once", async () => {
    const shell = mockShell(undefined, {
      sync_start: () => ({ run: run(), resumed: false, elapsed_ms: 10 }),
    });
    const { router } = await mountConsole("/authorizers?sync=1");
    await settle();
    expect(shell.count("sync_start")).toBe(1);
    expect(testid("sync-outcome")!.dataset.state).toBe("done");
    // Back to the same URL later: no second sync.
    await router.push("/tokens").catch(() => undefined);
    await settle();
    await router.push("/authorizers?sync=1");
    await settle();
    expect(shell.count("sync_start")).toBe(1);
  });

  it("does not start a second sync when one already runs", async () => {
    const shell = mockShell(undefined, { sync_latest: () => ({ latest: run({ state: "running", finished_at: null }), running: true }) });
    await mountConsole("/authorizers?sync=1");
    expect(shell.count("sync_start")).toBe(0);
    expect(testid("sync-progress")).not.toBeNull();
    expect(testid("sync-cancel")).not.toBeNull();
  });

  it("reports a finished sync with its numbers", async () => {
    mockShell(undefined, {
      sync_start: () => ({ run: run({ state: "done", total_count: 120, details_done: 118, errors: 2 }), resumed: false, elapsed_ms: 65_000 }),
    });
    await mountConsole("/authorizers");
    testid("sync-button")!.click();
    await settle();
    const outcome = testid("sync-outcome")!;
    expect(outcome.dataset.state).toBe("done");
    expect(outcome.textContent).toContain("120");
    expect(outcome.textContent).toContain("1m 05s");
  });

  it("explains a failed sync", async () => {
    mockShell(undefined, {
      sync_start: () => {
        throw failure();
      },
    });
    await mountConsole("/authorizers");
    testid("sync-button")!.click();
    await settle();
    const outcome = testid("sync-outcome")!;
    expect(outcome.dataset.state).toBe("failed");
    expect(outcome.textContent).toContain("调用方 IP 不在白名单中");
    expect(lastToast()).toContain("203.0.113.7");
  });

  it("shows a run that ended as failed with its last error", async () => {
    mockShell(undefined, {
      sync_start: () => ({ run: run({ state: "failed", last_error: "network unreachable" }), resumed: false, elapsed_ms: 10 }),
    });
    await mountConsole("/authorizers");
    testid("sync-button")!.click();
    await settle();
    expect(testid("sync-outcome")!.dataset.state).toBe("failed");
    expect(testid("sync-outcome")!.textContent).toContain("network unreachable");
  });
});
