import { beforeEach, describe, expect, it } from "vitest";
import { createPinia, setActivePinia } from "pinia";
import { mockIPC } from "@tauri-apps/api/mocks";
import { useAppStore } from "./app";
import { STORAGE_KEYS, usePrefsStore } from "./prefs";

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
