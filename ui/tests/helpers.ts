import { flushPromises, mount, type VueWrapper } from "@vue/test-utils";
import { mockIPC } from "@tauri-apps/api/mocks";
import { createMemoryHistory, type Router } from "vue-router";
import { vi } from "vitest";
import App from "../src/App.vue";
import type { AppInfo, ProfileView } from "../src/api";
import { createConsolePlugins } from "../src/plugins";

export const SAMPLE_INFO: AppInfo = {
  version: "0.1.0-test",
  data_dir: "/home/op/.local/share/wxopen-console",
  keychain: { available: true, backend: "secret-service", detail: null },
};

export type AppInfoReply = AppInfo | { reject: unknown } | (() => Promise<AppInfo>);

const NOW = 1_795_000_000;

export const SAMPLE_PROFILE: ProfileView = {
  id: 1,
  name: "sandbox",
  component_appid: "wx5a4db0c0ffee0001",
  api_base: "http://127.0.0.1:18080",
  proxy: null,
  is_sandbox: true,
  token_source: "local",
  option_api: "legacy",
  redirect_uri: null,
  shared_source: null,
  created_at: NOW,
  updated_at: NOW,
  selected: true,
  secrets: {
    appsecret: { set: true, tail: "••••3f9a" },
    token: { set: true, tail: "••••ab12" },
    encoding_aes_key: { set: true, tail: "••••Zx9Q" },
    redis_password: { set: false, tail: null },
    token_api_header: { set: false, tail: null },
  },
};

/** A command's mock: its answer (or a throw, which rejects like a Rust `Err`). */
export type Handler = (args: Record<string, unknown>) => unknown;

/** What every command answers unless a test overrides it: one selected sandbox profile, empty
 * data everywhere else. Tests pass overrides to `mockShell` for the states they check. */
export function defaultHandlers(): Record<string, Handler> {
  return {
    ui_ready: () => null,
    ui_table_painted: () => null,
    profiles_list: () => [SAMPLE_PROFILE],
    profile_select: () => SAMPLE_PROFILE,
    ticket_status: () => ({ present: true, received_at: NOW, source: "sandbox", age_secs: 60, valid_for_secs: 43140, valid: true, tail: "••••tick", shared_key: null }),
    component_token_status: () => ({ profile: "sandbox", token_source: "local", cached: false, expires_at: null, fetched_at: null, expires_in: null, tail: null, shared: null }),
    quota_status: () => ({ resets_this_month: 0, resets_left: 10 }),
    authorizers_search: () => ({ total: 0, rows: [] }),
    authorizers_counts: () => ({ total: 0, authorized: 0, revoked: 0, needs_reauth: 0, missing_refresh_token: 0, without_details: 0 }),
    sync_latest: () => ({ latest: null, running: false }),
    messages_list: () => ({ total: 0, rows: [] }),
    audit_list: () => ({ total: 0, rows: [] }),
    health: () => null,
    authorizer_quota_resets: (args) => ({ appid: String(args.appid), resets_this_month: 0, resets_left: 10 }),
  };
}

/** Mocks the shell's commands (defaults + `overrides`) and records every invoke with its args. */
export function mockShell(
  appInfo: AppInfoReply = SAMPLE_INFO,
  overrides: Record<string, Handler> = {},
): { calls: string[]; args: (cmd: string) => Record<string, unknown>[]; count: (cmd: string) => number } {
  const calls: string[] = [];
  const argLog: [string, Record<string, unknown>][] = [];
  const handlers = { ...defaultHandlers(), ...overrides };
  mockIPC(async (cmd, payload) => {
    calls.push(cmd);
    const args = (payload ?? {}) as Record<string, unknown>;
    argLog.push([cmd, args]);
    if (cmd === "app_info") {
      if (typeof appInfo === "function") return appInfo();
      if ("reject" in appInfo) throw appInfo.reject;
      return appInfo;
    }
    const h = handlers[cmd];
    if (!h) throw new Error(`unexpected command ${cmd}`);
    return h(args);
  });
  return {
    calls,
    args: (cmd) => argLog.filter(([c]) => c === cmd).map(([, a]) => a),
    count: (cmd) => calls.filter((c) => c === cmd).length,
  };
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
