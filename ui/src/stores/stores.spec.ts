import { beforeEach, describe, expect, it, vi } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { mockIPC } from "@tauri-apps/api/mocks";
import { CommandFailure, type CommandError, type SyncStatus } from "../api";
import { useAppStore } from "./app";
import { useAuthorizersScreenStore } from "./authorizersScreen";
import { STORAGE_KEYS, usePrefsStore } from "./prefs";
import { useSyncStore } from "./sync";

describe("app store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("sends ui_ready only once however often it is asked", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return null;
    });
    const app = useAppStore();
    await Promise.all([app.signalReady(), app.signalReady()]);
    await app.signalReady();
    expect(calls).toEqual(["ui_ready"]);
    expect(document.body.dataset.ready).toBe("1");
  });

  it("keeps a failed ui_ready as an error to show", async () => {
    mockIPC(() => {
      throw { code: "Internal", message: "shell not ready" };
    });
    const app = useAppStore();
    await app.signalReady();
    expect(app.error).toBe("[Internal] shell not ready");
  });

  it("loads app info and clears the loading flag on failure too", async () => {
    mockIPC(() => Promise.reject(new Error("gone")));
    const app = useAppStore();
    const pending = app.loadInfo();
    expect(app.loading).toBe(true);
    await pending;
    expect(app.loading).toBe(false);
    expect(app.info).toBeNull();
    expect(app.error).toBe("gone");
  });
});

describe("prefs store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("defaults to Chinese and following the OS", () => {
    const prefs = usePrefsStore();
    expect(prefs.locale).toBe("zh-CN");
    expect(prefs.theme).toBe("auto");
    expect(prefs.otherLocale).toBe("en");
  });

  it("ignores a stored theme it does not know", () => {
    localStorage.setItem(STORAGE_KEYS.theme, "sepia");
    expect(usePrefsStore().theme).toBe("auto");
  });

  it("persists changes", async () => {
    const prefs = usePrefsStore();
    prefs.toggleLocale();
    prefs.setTheme("dark");
    await Promise.resolve();
    expect(localStorage.getItem(STORAGE_KEYS.locale)).toBe("en");
    expect(localStorage.getItem(STORAGE_KEYS.theme)).toBe("dark");
    expect(prefs.effectiveTheme).toBe("dark");
  });
});

describe("authorizers screen store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  it("keeps the search and page for the next visit", () => {
    const first = useAuthorizersScreenStore();
    first.filters.query = "wx";
    first.paging.page = 3;
    const again = useAuthorizersScreenStore();
    expect(again.filters.query).toBe("wx");
    expect(again.paging.page).toBe(3);
  });
});

describe("sync store", () => {
  beforeEach(() => setActivePinia(createPinia()));

  const idle: SyncStatus = { latest: null, running: false };
  const err = (code: CommandError["code"]): CommandError => ({ code, message: code, hint: null, errcode: null, explanation: null });

  it("ends a cancelled run as cancelled, with nothing to report", async () => {
    mockIPC((cmd) => {
      if (cmd === "sync_start") throw err("cancelled");
      return idle;
    });
    const sync = useSyncStore();
    const end = await sync.start();
    expect(end).toMatchObject({ state: "cancelled", error: null });
    expect(sync.running).toBe(false);
    expect(sync.finished).toBe(1);
  });

  it("keeps why a run failed", async () => {
    mockIPC((cmd) => {
      if (cmd === "sync_start") throw err("network");
      return idle;
    });
    const end = await useSyncStore().start();
    expect(end.state).toBe("failed");
    expect(end.error).toBeInstanceOf(CommandFailure);
    expect((end.error as CommandFailure).body.code).toBe("network");
  });

  it("follows a run started elsewhere until it ends", async () => {
    vi.useFakeTimers();
    try {
      const answers: SyncStatus[] = [{ latest: null, running: true }, idle];
      mockIPC(() => answers.shift() ?? idle);
      const sync = useSyncStore();
      await sync.refreshLatest();
      expect(sync.busy).toBe(true);
      expect(sync.finished).toBe(0);
      await vi.advanceTimersByTimeAsync(2000);
      expect(sync.busy).toBe(false);
      expect(sync.finished).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
