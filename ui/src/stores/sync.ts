import { computed, ref, shallowRef } from "vue";
import { defineStore } from "pinia";
import { Channel } from "@tauri-apps/api/core";
import { commandError, commands, unwrap, type QuotaReading, type SyncProgress, type SyncRunRow, type SyncState, type SyncStop } from "../api";

export interface SyncEnd {
  state: Exclude<SyncState, "running">;
  run: SyncRunRow | null;
  elapsedMs: number | null;
  /** Why it failed when the command itself failed (not started, refused, network…). */
  error: unknown;
  /** Why the details phase paused before it was done (quota reserve, call limit): resumable. */
  stop: SyncStop | null;
  /** The API quota of the details calls as the sync last read it. */
  quota: QuotaReading | null;
}

/**
 * The sync, as a store: a run outlives the screen that started it (the operator may look at
 * another screen meanwhile), and coming back shows the same run and its progress.
 */
export const useSyncStore = defineStore("authorizers-sync", () => {
  /** A sync started by this window is running (we hold its channel). */
  const running = ref(false);
  /** The shell says a sync runs that this window is not following (started before a reload…). */
  const runningElsewhere = ref(false);
  const cancelling = ref(false);
  const progress = shallowRef<SyncProgress | null>(null);
  const latest = shallowRef<SyncRunRow | null>(null);
  const end = shallowRef<SyncEnd | null>(null);
  /** Bumped when a run ends, so screens reload their data. */
  const finished = ref(0);
  const busy = computed(() => running.value || runningElsewhere.value);

  let pollTimer: ReturnType<typeof setTimeout> | null = null;

  function stopPolling(): void {
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
  }

  /** The latest run; while one runs that we do not follow, polls every 2 s for its end. */
  async function refreshLatest(): Promise<void> {
    const status = await unwrap(commands.syncLatest());
    latest.value = status.latest;
    const elsewhere = status.running && !running.value;
    if (runningElsewhere.value && !elsewhere) finished.value++;
    runningElsewhere.value = elsewhere;
    if (!status.running) cancelling.value = false;
    stopPolling();
    if (elsewhere) {
      pollTimer = setTimeout(() => {
        pollTimer = null;
        refreshLatest().catch(() => undefined);
      }, 2000);
    }
  }

  /**
   * Runs a sync to its end; how it ended is in `end` (failures too: nothing is thrown).
   * `restart` starts a new run that re-reads every refresh token from the list (Health's
   * *Recover refresh tokens*).
   */
  async function start(opts: { restart?: boolean } = {}): Promise<SyncEnd> {
    if (running.value && end.value) return end.value;
    const channel = new Channel<SyncProgress>();
    channel.onmessage = (p) => {
      progress.value = p;
    };
    running.value = true;
    cancelling.value = false;
    progress.value = null;
    end.value = null;
    let result: SyncEnd;
    try {
      const outcome = await unwrap(commands.syncStart({ details: true, concurrency: null, restart: opts.restart ?? false }, channel));
      const state = outcome.run.state === "running" ? "done" : outcome.run.state;
      result = {
        state,
        run: outcome.run,
        elapsedMs: outcome.elapsed_ms,
        error: null,
        stop: outcome.stop ?? null,
        quota: outcome.quota_after ?? outcome.quota_before ?? null,
      };
      latest.value = outcome.run;
    } catch (err) {
      const cancelled = commandError(err)?.code === "cancelled";
      result = { state: cancelled ? "cancelled" : "failed", run: null, elapsedMs: null, error: cancelled ? null : err, stop: null, quota: null };
    }
    running.value = false;
    cancelling.value = false;
    end.value = result;
    finished.value++;
    await refreshLatest().catch(() => undefined);
    return result;
  }

  async function cancel(): Promise<void> {
    cancelling.value = true;
    try {
      await unwrap(commands.syncCancel());
    } catch (err) {
      cancelling.value = false;
      throw err;
    }
  }

  /** After a profile switch the previous profile's outcome no longer applies. */
  function forgetOutcome(): void {
    if (!running.value) {
      end.value = null;
      progress.value = null;
    }
  }

  return { running, runningElsewhere, cancelling, progress, latest, end, finished, busy, refreshLatest, start, cancel, forgetOutcome };
});
