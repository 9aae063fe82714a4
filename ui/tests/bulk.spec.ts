import { describe, expect, it, vi } from "vitest";
import type { Channel } from "@tauri-apps/api/core";
import type { AuthorizerQuery, BulkItemRow, BulkJobRow, BulkOutcome, BulkProgress, BulkRequest } from "../src/api";
import { mockShell, mountConsole, settle, type Handler } from "./helpers";
import { COUNTS, rows } from "./authorizers.fixtures";

vi.setConfig({ testTimeout: 20_000 });

const $ = <T extends HTMLElement = HTMLElement>(sel: string): T | null => document.querySelector<T>(sel);
const testid = (id: string): HTMLElement | null => $(`[data-testid="${id}"]`);

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

function pages(total: number): Handler {
  return (args) => {
    const q = args.query as AuthorizerQuery;
    return { total, rows: rows(q.offset ?? 0, Math.min(3, total)) };
  };
}

function job(state: BulkJobRow["state"], counts: BulkJobRow["counts"]): BulkJobRow {
  return {
    id: 7,
    profile_id: 1,
    action: "option_set",
    params: "{}",
    selection: "{}",
    state,
    total: 42,
    counts,
    message: null,
    owner: null,
    heartbeat_at: null,
    created_at: 1,
    updated_at: 1,
    finished_at: null,
  };
}

const RESULTS: BulkItemRow[] = [
  { seq: 0, appid: "wx0000000000000001", state: "ok", errcode: null, message: null, at: 1 },
  { seq: 1, appid: "wx0000000000000002", state: "failed", errcode: 61007, message: "api is unauthorized to component", at: 1 },
  { seq: 2, appid: "wx0000000000000003", state: "skipped", errcode: null, message: "skipped: revoked", at: 1 },
];

describe("bulk actions", () => {
  it("previews, asks once naming the count, runs with progress and shows the results", async () => {
    const calls: Record<string, Array<Record<string, unknown>>> = {};
    const record = (name: string, answer: Handler): Handler => (args) => {
      (calls[name] ??= []).push(args);
      return answer(args);
    };
    let channel: Channel<BulkProgress> | null = null;
    const run = deferred<BulkOutcome>();
    mockShell(undefined, {
      authorizers_search: pages(42),
      authorizers_counts: () => COUNTS,
      bulk_plan: record("bulk_plan", () => ({
        action: "option_set",
        params: { option_name: "location_report", option_value: "1" },
        total: 42,
        will_run: 40,
        skipped: [{ reason: "revoked", count: 2 }],
        writes: true,
      })),
      bulk_create: record("bulk_create", () => job("pending", { pending: 40, ok: 0, skipped: 2, failed: 0 })),
      bulk_run: record("bulk_run", (args) => {
        channel = args.onProgress as Channel<BulkProgress>;
        return run.promise;
      }),
      bulk_results: () => RESULTS,
      bulk_results_path: () => "/home/op/Downloads/bulk-7-20261203-190000.csv",
      bulk_results_csv: record("bulk_results_csv", () => 42),
      bulk_jobs: () => [],
      errcode_explain: (args) => ({
        errcode: args.errcode,
        known: true,
        kind: "permission",
        zh: "该接口的权限集未授权给本第三方平台",
        en: "The account did not grant this API's permission set to the platform",
        hint_zh: "",
        hint_en: "",
        retryable: false,
        client_ip: null,
        rid: null,
      }),
      authorizer_view: record("authorizer_view", () => new Promise(() => undefined)),
    });
    await mountConsole("/authorizers");
    await vi.waitFor(() => expect(testid("authorizers-total")!.dataset.total).toBe("42"));

    // Pick a row, then every row matching the filter.
    $<HTMLInputElement>("[data-testid=authorizer-row] .t-checkbox input")!.click();
    await settle();
    expect(testid("bulk-selection")!.dataset.count).toBe("1");
    expect(calls.authorizer_view, "a checkbox picks the row, it does not open it").toBeUndefined();
    testid("bulk-select-all")!.click();
    await settle();
    expect(testid("bulk-selection")!.dataset.count).toBe("42");
    expect(testid("bulk-selection")!.textContent).toContain("42");

    testid("bulk-button")!.click();
    await settle();
    expect(testid("bulk-dialog")!.dataset.count).toBe("42");
    testid("bulk-preview")!.click();
    await settle();
    const req = calls.bulk_plan![0]!.request as BulkRequest;
    expect(req.appids).toBeNull();
    expect(req.action).toBe("option_set");
    expect(req.params).toEqual({ option_name: "location_report", option_value: "1" });
    await vi.waitFor(() => expect(testid("bulk-plan")!.dataset.willRun).toBe("40"));
    expect(testid("bulk-plan")!.textContent).toContain("共 42 个账号，其中 2 个将跳过");
    expect(testid("bulk-skip-revoked")!.dataset.count).toBe("2");

    // One confirmation, naming the count; nothing created before it.
    testid("bulk-start")!.click();
    await settle();
    expect(calls.bulk_create).toBeUndefined();
    expect(testid("bulk-confirm")!.dataset.count).toBe("40");
    expect(testid("bulk-confirm")!.textContent).toContain("40");
    testid("bulk-confirm-ok")!.click();
    await settle();
    expect(calls.bulk_create![0]!.confirmed).toBe(true);
    await vi.waitFor(() => expect(channel).not.toBeNull());
    channel!.onmessage({
      job_id: 7,
      total: 42,
      counts: { pending: 20, ok: 20, skipped: 2, failed: 0 },
      done_this_run: 20,
      elapsed_ms: 2000,
      eta_secs: 75,
      quota_remain: 99_000,
    });
    await settle();
    expect(testid("bulk-status")!.dataset.ok).toBe("20");
    expect(testid("bulk-eta")!.textContent).toContain("1m15s");
    expect(testid("bulk-pause")).not.toBeNull();

    run.resolve({ job: job("done", { pending: 0, ok: 39, skipped: 2, failed: 1 }), stop: null, elapsed_ms: 4000 });
    await vi.waitFor(() => expect(document.querySelectorAll("[data-testid=bulk-result]").length).toBe(3));
    expect(testid("bulk-status")!.dataset.state).toBe("done");
    const failedRow = $("[data-testid=bulk-result][data-state=failed]")!;
    expect(failedRow.textContent).toContain("61007");
    // The errcode explained in the interface's language, WeChat's errmsg on hover.
    await vi.waitFor(() => expect(failedRow.textContent).toContain("该接口的权限集未授权给本第三方平台"));
    expect(failedRow.querySelector<HTMLElement>("[data-testid=bulk-result-message]")!.title).toContain("api is unauthorized");
    testid("bulk-csv-export")!.click();
    await settle();
    expect(calls.bulk_results_csv![0]).toEqual({ id: 7, path: "/home/op/Downloads/bulk-7-20261203-190000.csv" });
    await vi.waitFor(() => expect(testid("bulk-csv-done")!.dataset.rows).toBe("42"));
  });

  it("a paused job says why and resumes", async () => {
    let runs = 0;
    const shell: Record<string, Handler> = {
      authorizers_search: pages(3),
      authorizers_counts: () => COUNTS,
      bulk_plan: () => ({ action: "details", params: {}, total: 3, will_run: 3, skipped: [], writes: false }),
      bulk_create: () => ({ ...job("pending", { pending: 3, ok: 0, skipped: 0, failed: 0 }), action: "details", total: 3 }),
      bulk_run: () => {
        runs += 1;
        return runs === 1
          ? {
              job: { ...job("paused", { pending: 2, ok: 1, skipped: 0, failed: 0 }), total: 3 },
              stop: { kind: "quota_reserve", endpoint: "/cgi-bin/component/api_get_authorizer_info", remain: 20, reserve: 20, daily_limit: 100, resets_at: 1_795_000_000 },
              elapsed_ms: 10,
            }
          : { job: { ...job("done", { pending: 0, ok: 3, skipped: 0, failed: 0 }), total: 3 }, stop: null, elapsed_ms: 10 };
      },
      bulk_results: () => RESULTS,
      bulk_results_path: () => "/tmp/bulk.csv",
      bulk_jobs: () => [],
    };
    mockShell(undefined, shell);
    await mountConsole("/authorizers");
    await vi.waitFor(() => expect(testid("authorizers-total")!.dataset.total).toBe("3"));
    testid("bulk-button")!.click();
    await settle();
    // A read-only action: no confirmation.
    document.querySelector<HTMLElement>("[data-testid=bulk-action] input")!.click();
    await settle();
    testid("bulk-action-details")!.click();
    await settle();
    testid("bulk-start")!.click();
    await vi.waitFor(() => expect(testid("bulk-stop")!.dataset.kind).toBe("quota_reserve"));
    expect(testid("bulk-confirm")).toBeNull();
    expect(testid("bulk-stop")!.textContent).toContain("20/100");
    testid("bulk-resume")!.click();
    await vi.waitFor(() => expect(testid("bulk-status")!.dataset.state).toBe("done"));
    expect(runs).toBe(2);
    expect(testid("bulk-stop")).toBeNull();
  });

  it("offers to resume a job left unfinished (the app closed, a killed wxopen)", async () => {
    const ran: number[] = [];
    mockShell(undefined, {
      authorizers_search: pages(3),
      authorizers_counts: () => COUNTS,
      bulk_jobs: () => [job("done", { pending: 0, ok: 42, skipped: 0, failed: 0 }), { ...job("running", { pending: 30, ok: 12, skipped: 0, failed: 0 }), id: 5 }],
      bulk_run: (args) => {
        ran.push(args.id as number);
        return { job: { ...job("done", { pending: 0, ok: 42, skipped: 0, failed: 0 }), id: 5 }, stop: null, elapsed_ms: 10 };
      },
      bulk_results: () => RESULTS,
      bulk_results_path: () => "/tmp/bulk.csv",
    });
    await mountConsole("/authorizers");
    await vi.waitFor(() => expect(testid("authorizers-total")!.dataset.total).toBe("3"));
    testid("bulk-button")!.click();
    await vi.waitFor(() => expect(document.querySelectorAll("[data-testid=bulk-open-job]").length).toBe(1));
    expect(testid("bulk-open-job")!.dataset.id).toBe("5");
    expect(testid("bulk-open-job")!.textContent).toContain("12 / 42");
    testid("bulk-resume-job-5")!.click();
    await vi.waitFor(() => expect(testid("bulk-status")!.dataset.state).toBe("done"));
    expect(ran).toEqual([5]);
  });
});
