import { describe, expect, it, vi } from "vitest";
import type { Channel } from "@tauri-apps/api/core";
import type { QuotaReading, SyncOutcome, SyncProgress, SyncStop } from "../src/api";
import { STORAGE_KEYS } from "../src/stores/prefs";
import { formatTime } from "../src/utils/time";
import { mockShell, mountConsole, settle } from "./helpers";
import { run } from "./authorizers.fixtures";

// The sync panel says what the details phase may still spend today and why it paused.

const testid = (id: string): HTMLElement | null => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

vi.setConfig({ testTimeout: 20_000 });

const RESET = 1_795_017_600;

function quota(over: Partial<QuotaReading> = {}): QuotaReading {
  return { daily_limit: 100, used: 80, remain: 20, reserve: 20, resets_at: RESET, ...over };
}

function outcome(stop: SyncStop | null, after: QuotaReading | null): SyncOutcome {
  const state = stop ? "cancelled" : "done";
  return {
    run: run({ state, details_done: 80, details_total: 150, errors: 0 }),
    resumed: false,
    elapsed_ms: 900,
    stop,
    quota_before: quota({ used: 0, remain: 100 }),
    quota_after: after,
  };
}

const reserveStop: SyncStop = { kind: "quota_reserve", remain: 20, reserve: 20, daily_limit: 100, resets_at: RESET };

async function syncOnce(answer: SyncOutcome): Promise<void> {
  mockShell(undefined, { sync_start: () => answer });
  await mountConsole("/authorizers");
  testid("sync-button")!.click();
  await settle();
}

describe("sync panel: the API quota", () => {
  it("says the details paused at the backend's reserve and when WeChat resets the quota (zh-CN)", async () => {
    await syncOnce(outcome(reserveStop, quota()));
    const text = testid("sync-outcome")!.textContent!;
    expect(testid("sync-outcome")!.dataset.state).toBe("cancelled");
    expect(text).toContain("剩余 20 / 100 次");
    expect(text).toContain("20 次留给后端");
    expect(text).toContain("北京时间 00:00");
    expect(text).toContain(formatTime(RESET));
    expect(testid("sync-quota")!.dataset.remain).toBe("20");
    expect(testid("sync-quota")!.textContent).toContain("今日接口额度剩余：20 / 100");
  });

  it("says the same in English", async () => {
    localStorage.setItem(STORAGE_KEYS.locale, "en");
    await syncOnce(outcome(reserveStop, quota()));
    const text = testid("sync-outcome")!.textContent!;
    expect(text).toContain("20 of 100 api_get_authorizer_info calls remain, 20 are kept for the backend");
    expect(text).toContain("00:00 Beijing time");
    expect(testid("sync-quota")!.textContent).toContain("API quota left today: 20 of 100 (20 kept for the backend)");
  });

  it("says a call limit paused the details", async () => {
    await syncOnce(outcome({ kind: "max_calls", max_calls: 10 }, quota({ used: 10, remain: 90 })));
    expect(testid("sync-outcome")!.dataset.state).toBe("cancelled");
    expect(testid("sync-outcome")!.textContent).toContain("已调用 api_get_authorizer_info 10 次");
    expect(testid("sync-quota")!.dataset.remain).toBe("90");
  });

  it("says WeChat answered 45009 and when the quota comes back", async () => {
    await syncOnce(outcome({ kind: "quota_spent", resets_at: RESET }, null));
    const text = testid("sync-outcome")!.textContent!;
    expect(text).toContain("微信返回 45009");
    expect(text).toContain(formatTime(RESET));
  });

  it("shows what is left after a finished sync, and nothing when the quota was not read", async () => {
    await syncOnce(outcome(null, quota({ used: 30, remain: 70 })));
    expect(testid("sync-outcome")!.dataset.state).toBe("done");
    expect(testid("sync-quota")!.textContent).toContain("70 / 100");
    document.body.innerHTML = "";
    const noQuota = { ...outcome(null, null), quota_before: null };
    await syncOnce(noQuota);
    expect(testid("sync-outcome")!.dataset.state).toBe("done");
    expect(testid("sync-quota")).toBeNull();
  });

  it("shows the quota left while the details are fetched", async () => {
    let channel: Channel<SyncProgress> | null = null;
    mockShell(undefined, {
      sync_start: (args) => {
        channel = args.onProgress as Channel<SyncProgress>;
        return new Promise(() => undefined);
      },
    });
    await mountConsole("/authorizers");
    testid("sync-button")!.click();
    await settle();
    const p: SyncProgress = {
      run_id: 7,
      phase: "list",
      listed: 60,
      list_total: 150,
      details_done: 0,
      details_total: null,
      errors: 0,
      revoked: 0,
      resumed: false,
      quota_remain: null,
    };
    channel!.onmessage(p);
    await settle();
    expect(testid("sync-progress-quota")).toBeNull();
    channel!.onmessage({ ...p, phase: "details", listed: 150, details_done: 40, details_total: 150, quota_remain: 60 });
    await settle();
    expect(testid("sync-progress-quota")!.textContent).toContain("今日接口额度剩余 60");
  });
});
