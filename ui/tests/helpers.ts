import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import { mockIPC } from "@tauri-apps/api/mocks";
import { createMemoryHistory, type Router } from "vue-router";
import { vi } from "vitest";
import App from "../src/App.vue";
import type { AppInfo } from "../src/bindings";
import { createConsolePlugins } from "../src/plugins";

export const SAMPLE_INFO: AppInfo = {
  version: "0.1.0-test",
  data_dir: "/home/op/.local/share/wxopen-console",
  keychain: { available: true, backend: "secret-service", detail: null },
};

export type AppInfoReply = AppInfo | { reject: unknown } | (() => Promise<AppInfo>);

/** Mocks the two commands the shell offers today and records every invoke. */
export function mockShell(appInfo: AppInfoReply = SAMPLE_INFO): { calls: string[]; count: (cmd: string) => number } {
  const calls: string[] = [];
  mockIPC(async (cmd) => {
    calls.push(cmd);
    switch (cmd) {
      case "app_info":
        if (typeof appInfo === "function") return appInfo();
        if ("reject" in appInfo) throw appInfo.reject;
        return appInfo;
      case "ui_ready":
        return null;
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return { calls, count: (cmd) => calls.filter((c) => c === cmd).length };
}

export interface Mounted {
  wrapper: VueWrapper;
  router: Router;
  byTestId: (id: string) => HTMLElement;
  text: (id: string) => string;
}

/** Mounts the whole app (layout, router, stores, i18n) as main.ts does, at `path`. */
export async function mountConsole(path = "/"): Promise<Mounted> {
  const { pinia, i18n, router } = createConsolePlugins(createMemoryHistory());
  await router.push(path);
  const wrapper = mount(App, { global: { plugins: [pinia, i18n, router] }, attachTo: document.body });
  await router.isReady();
  await settle();
  const byTestId = (id: string): HTMLElement => {
    const el = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    if (!el) throw new Error(`no element with data-testid="${id}"`);
    return el;
  };
  return { wrapper, router, byTestId, text: (id) => byTestId(id).textContent?.trim() ?? "" };
}

/** Lets pending invokes, lazy route components and re-renders finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await flushPromises();
    await vi.dynamicImportSettled();
  }
}

/** A controllable `prefers-color-scheme: dark` media query. */
export function fakeColorScheme(initiallyDark: boolean): { setDark: (dark: boolean) => void } {
  let dark = initiallyDark;
  const listeners = new Set<(e: MediaQueryListEvent) => void>();
  const matchMedia = vi.fn((query: string): MediaQueryList => {
    const isDarkQuery = query === "(prefers-color-scheme: dark)";
    return {
      get matches() {
        return isDarkQuery && dark;
      },
      media: query,
      onchange: null,
      addEventListener: (_type: string, l: (e: MediaQueryListEvent) => void) => {
        if (isDarkQuery) listeners.add(l);
      },
      removeEventListener: (_type: string, l: (e: MediaQueryListEvent) => void) => {
        listeners.delete(l);
      },
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => true,
    } as unknown as MediaQueryList;
  });
  vi.stubGlobal("matchMedia", matchMedia);
  return {
    setDark(next: boolean) {
      dark = next;
      for (const l of listeners) l({ matches: next, media: "(prefers-color-scheme: dark)" } as MediaQueryListEvent);
    },
  };
}
