import { afterEach, describe, expect, it } from "vitest";
import { NotifyPlugin } from "tdesign-vue-next";
import type { CommandError, ProfileView } from "../src/api";
import { STORAGE_KEYS } from "../src/stores/prefs";
import { mockShell, mountConsole, SAMPLE_PROFILE, settle } from "./helpers";

const PROD: ProfileView = {
  ...SAMPLE_PROFILE,
  id: 2,
  name: "prod",
  component_appid: "wx0123456789abcdef",
  api_base: "https://api.weixin.qq.com",
  proxy: "socks5://127.0.0.1:1080",
  is_sandbox: false,
  option_api: "v2",
  selected: false,
  secrets: {
    appsecret: { set: true, tail: "••••3f9a" },
    token: { set: false, tail: null },
    encoding_aes_key: { set: true, tail: "••••Zx9Q" },
    redis_password: { set: false, tail: null },
    token_api_header: { set: false, tail: null },
  },
};

const WHITELIST: CommandError = {
  code: "we_chat",
  message: "component_access_token: errcode 61004: access clientip is not registered, clientIP: 203.0.113.7 rid: 1",
  hint: null,
  errcode: 61004,
  explanation: {
    errcode: 61004,
    known: true,
    kind: "ip_whitelist",
    zh: "调用方 IP 不在第三方平台的白名单中",
    en: "The caller IP is not on the platform's whitelist",
    hint_zh: "在开放平台后台把该 IP 加入白名单",
    hint_en: "Add the IP to the whitelist in the Open Platform console",
    retryable: false,
    client_ip: "203.0.113.7",
    rid: "1",
  },
};

function item(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-testid=profile-item][data-name="${name}"]`);
  if (!el) throw new Error(`no profile item ${name}`);
  return el;
}

function inside(root: HTMLElement, id: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no ${id} inside`);
  return el;
}

function input(id: string): HTMLInputElement {
  const el = document.querySelector<HTMLInputElement>(`[data-testid="${id}"] input`);
  if (!el) throw new Error(`no input in ${id}`);
  return el;
}

async function type(id: string, value: string): Promise<void> {
  const el = input(id);
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
}

async function submit(): Promise<void> {
  document.querySelector<HTMLElement>("[data-testid=profile-save]")!.click();
  await settle();
}

/** The profile list as the shell would keep it, with add/edit/remove applied. */
function profileBackend(initial: ProfileView[]) {
  let list = [...initial];
  return {
    get list() {
      return list;
    },
    handlers: {
      profiles_list: () => list,
      profile_add: (args: Record<string, unknown>) => {
        const input = args.input as { name: string; component_appid: string };
        const view: ProfileView = { ...PROD, id: 9, name: input.name, component_appid: input.component_appid, selected: false };
        list = [...list, view];
        return view;
      },
      profile_edit: (args: Record<string, unknown>) => {
        const edit = args.edit as { name: string | null };
        list = list.map((p) => (p.name === args.name ? { ...p, name: edit.name ?? p.name } : p));
        return list.find((p) => p.name === (edit.name ?? args.name));
      },
      profile_remove: (args: Record<string, unknown>) => {
        list = list.filter((p) => p.name !== args.name);
        return null;
      },
      profile_select: (args: Record<string, unknown>) => {
        list = list.map((p) => ({ ...p, selected: p.name === args.name }));
        return list.find((p) => p.selected);
      },
    },
  };
}

describe("profiles screen", () => {
  // Toasts live on <body> outside the app: drop them so each test reads its own.
  afterEach(() => NotifyPlugin.closeAll());

  it("lists every profile with its settings, tags and the about card", async () => {
    mockShell(undefined, { profiles_list: () => [SAMPLE_PROFILE, PROD] });
    const { byTestId } = await mountConsole("/profiles");
    const items = [...byTestId("profiles-list").querySelectorAll<HTMLElement>("[data-testid=profile-item]")];
    expect(items.map((el) => el.dataset.name)).toEqual(["sandbox", "prod"]);

    const sandbox = item("sandbox");
    expect(inside(sandbox, "profile-sandbox-tag").textContent).toContain("沙箱");
    expect(inside(sandbox, "profile-selected-tag").textContent).toContain("当前");
    expect((inside(sandbox, "profile-select") as HTMLButtonElement).disabled).toBe(true);

    const prod = item("prod");
    expect(prod.querySelector("[data-testid=profile-sandbox-tag]")).toBeNull();
    expect(inside(prod, "profile-item-appid").textContent).toBe("wx0123456789abcdef");
    expect(inside(prod, "profile-item-api-base").textContent).toBe("https://api.weixin.qq.com");
    expect(inside(prod, "profile-item-proxy").textContent).toBe("socks5://127.0.0.1:1080");
    expect(prod.textContent).toContain("v2 get/set_authorizer_option");
    expect(byTestId("app-version")).toBeTruthy();
    expect(byTestId("keychain-status")).toBeTruthy();
  });

  it("shows a skeleton while loading and the empty state when there is none", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    mockShell(undefined, {
      profiles_list: async () => {
        await gate;
        return [];
      },
    });
    const { byTestId } = await mountConsole("/profiles");
    expect(byTestId("profiles-loading")).toBeTruthy();
    release();
    await settle();
    expect(document.querySelector("[data-testid=profiles-loading]")).toBeNull();
    expect(byTestId("profiles-empty").textContent).toContain("还没有任何配置");
  });

  it("shows why the profiles could not be read", async () => {
    mockShell(undefined, {
      profiles_list: () => {
        throw { code: "storage", message: "database is locked", hint: "close the CLI", errcode: null, explanation: null };
      },
    });
    const { text } = await mountConsole("/profiles");
    expect(text("profiles-error")).toContain("database is locked");
    expect(text("profiles-error")).toContain("close the CLI");
  });

  it("adds a profile: inline validation first, then profile_add with every field", async () => {
    const backend = profileBackend([SAMPLE_PROFILE]);
    const shell = mockShell(undefined, backend.handlers);
    const { byTestId } = await mountConsole("/profiles");
    expect(document.querySelector("[data-testid=profile-form]")).toBeNull();
    byTestId("profile-add").click();
    await settle();
    expect(byTestId("profile-form")).toBeTruthy();
    expect(input("profile-api-base").value).toBe("https://api.weixin.qq.com");
    // New profile: the secrets are plain empty password inputs, no status.
    expect(input("profile-appsecret").type).toBe("password");
    expect(document.querySelector("[data-testid=profile-secret-status-appsecret]")).toBeNull();

    await type("profile-name", "prod-2");
    await type("profile-appid", "wx123");
    await type("profile-api-base", "ftp://x");
    await type("profile-proxy", "gopher://proxy");
    await type("profile-aes-key", "short");
    await submit();
    const form = byTestId("profile-form").textContent ?? "";
    expect(form).toContain("AppID 须为 wx 加 16 位十六进制数字");
    expect(form).toContain("接口地址须为 http:// 或 https://");
    expect(form).toContain("代理须为");
    expect(form).toContain("EncodingAESKey 须为 43 个字符（当前 5 个）");
    expect(shell.count("profile_add")).toBe(0);

    await type("profile-appid", "wxABCDEF0123456789");
    await type("profile-api-base", "https://api.weixin.qq.com");
    await type("profile-proxy", "http://127.0.0.1:7890");
    await type("profile-appsecret", "s3cret");
    await type("profile-token", "tok");
    await type("profile-aes-key", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
    byTestId("profile-option-v2").click();
    await settle();
    await submit();
    expect(shell.args("profile_add")).toEqual([
      {
        input: {
          name: "prod-2",
          component_appid: "wxABCDEF0123456789",
          api_base: "https://api.weixin.qq.com",
          proxy: "http://127.0.0.1:7890",
          option_v2: true,
          appsecret: "s3cret",
          token: "tok",
          encoding_aes_key: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
          shared: null,
        },
      },
    ]);
    expect(document.querySelector("[data-testid=profile-form]")).toBeNull();
    expect(item("prod-2")).toBeTruthy();
  });

  it("shows the core's refusal of a new profile", async () => {
    mockShell(undefined, {
      profile_add: () => {
        throw { code: "invalid_input", message: "a profile named prod already exists", hint: null, errcode: null, explanation: null };
      },
    });
    const { byTestId } = await mountConsole("/profiles?new=1");
    await type("profile-name", "prod");
    await type("profile-appid", "wx0123456789abcdef");
    await submit();
    expect(byTestId("error-toast").textContent).toContain("a profile named prod already exists");
    expect(byTestId("profile-form")).toBeTruthy();
  });

  it("edits a profile: secrets are write-only and only changes are sent", async () => {
    const backend = profileBackend([SAMPLE_PROFILE, PROD]);
    const shell = mockShell(undefined, backend.handlers);
    await mountConsole("/profiles");
    inside(item("prod"), "profile-edit").click();
    await settle();

    expect(input("profile-name").value).toBe("prod");
    expect(input("profile-appid").disabled).toBe(true);
    expect(input("profile-proxy").value).toBe("socks5://127.0.0.1:1080");
    const status = (id: string) => document.querySelector(`[data-testid=profile-secret-status-${id}]`)?.textContent?.trim();
    expect(status("appsecret")).toBe("已设置 ••••3f9a");
    expect(status("token")).toBe("未设置");
    expect(status("aes-key")).toBe("已设置 ••••Zx9Q");
    // Nothing to type into until "replace": the stored values never come back.
    expect(document.querySelector("[data-testid=profile-appsecret]")).toBeNull();
    document.querySelector<HTMLElement>("[data-testid=profile-appsecret-replace]")!.click();
    await settle();
    expect(input("profile-appsecret").value).toBe("");

    await submit();
    expect(document.querySelector("[data-testid=profile-form]")?.textContent).toContain("不能只包含空白");
    expect(shell.count("profile_edit")).toBe(0);

    await type("profile-appsecret", "new-secret");
    await type("profile-proxy", "");
    await submit();
    expect(shell.args("profile_edit")).toEqual([
      {
        name: "prod",
        edit: {
          name: null,
          api_base: null,
          proxy: "",
          option_v2: null,
          appsecret: "new-secret",
          token: null,
          encoding_aes_key: null,
          tokens: null,
        },
      },
    ]);
    expect(document.querySelector("[data-testid=profile-form]")).toBeNull();
  });

  it("shows a proxy password masked and never sends it back unless the proxy changes", async () => {
    const masked = { ...PROD, proxy: "http://u:••••@127.0.0.1:7890/" };
    const shell = mockShell(undefined, profileBackend([SAMPLE_PROFILE, masked]).handlers);
    await mountConsole("/profiles");
    expect(inside(item("prod"), "profile-item-proxy").textContent).toBe("http://u:••••@127.0.0.1:7890/");
    inside(item("prod"), "profile-edit").click();
    await settle();
    expect(input("profile-proxy").value).toBe("http://u:••••@127.0.0.1:7890/");

    // A rename leaves the proxy (and its stored password) alone.
    await type("profile-name", "prod2");
    await submit();
    expect(shell.args("profile_edit")[0]).toMatchObject({ name: "prod", edit: { name: "prod2", proxy: null } });
  });

  it("cancels an edit without calling the core", async () => {
    const shell = mockShell(undefined, { profiles_list: () => [SAMPLE_PROFILE, PROD] });
    const { byTestId } = await mountConsole("/profiles");
    inside(item("prod"), "profile-edit").click();
    await settle();
    byTestId("profile-cancel").click();
    await settle();
    expect(document.querySelector("[data-testid=profile-form]")).toBeNull();
    expect(shell.count("profile_edit")).toBe(0);
  });

  it("selects a profile", async () => {
    const backend = profileBackend([SAMPLE_PROFILE, PROD]);
    const shell = mockShell(undefined, backend.handlers);
    await mountConsole("/profiles");
    inside(item("prod"), "profile-select").click();
    await settle();
    expect(shell.args("profile_select")).toEqual([{ name: "prod" }]);
    expect(item("prod").dataset.selected).toBe("true");
    expect(item("sandbox").dataset.selected).toBe("false");
  });

  it("removes a profile after a confirmation naming it", async () => {
    const backend = profileBackend([SAMPLE_PROFILE, PROD]);
    const shell = mockShell(undefined, backend.handlers);
    const { byTestId, router } = await mountConsole("/profiles");
    inside(item("prod"), "profile-remove").click();
    await settle();
    expect(byTestId("confirm-dialog-body").textContent).toContain("“prod”");
    expect(shell.count("profile_remove")).toBe(0);
    byTestId("profile-remove-confirm").click();
    await settle();
    expect(shell.args("profile_remove")).toEqual([{ name: "prod" }]);
    expect(document.querySelector("[data-testid=profile-item][data-name=prod]")).toBeNull();
    expect(router.currentRoute.value.name).toBe("profiles");
  });

  it("goes back to the welcome page when the last profile is removed", async () => {
    const backend = profileBackend([SAMPLE_PROFILE]);
    mockShell(undefined, backend.handlers);
    const { byTestId, router } = await mountConsole("/profiles");
    inside(item("sandbox"), "profile-remove").click();
    await settle();
    byTestId("profile-remove-confirm").click();
    await settle();
    expect(router.currentRoute.value.name).toBe("welcome");
  });

  it("tests the connection and shows the token's lifetime", async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 7000;
    const shell = mockShell(undefined, {
      profile_test_connection: () => ({
        profile: "sandbox",
        token_source: "local",
        cached: true,
        expires_at: expiresAt,
        fetched_at: expiresAt - 200,
        expires_in: 7000,
        tail: "••••tokn",
      }),
    });
    await mountConsole("/profiles");
    inside(item("sandbox"), "profile-test").click();
    await settle();
    expect(shell.args("profile_test_connection")).toEqual([{ name: "sandbox" }]);
    const result = inside(item("sandbox"), "profile-test-result");
    expect(result.dataset.ok).toBe("true");
    expect(result.textContent).toContain("••••tokn");
    expect(result.textContent).toMatch(/1h 5\dm/);
  });

  it("shows a whitelist failure inline with the IP to add, in the current language", async () => {
    localStorage.setItem(STORAGE_KEYS.locale, "en");
    mockShell(undefined, {
      profile_test_connection: () => {
        throw WHITELIST;
      },
    });
    await mountConsole("/profiles");
    inside(item("sandbox"), "profile-test").click();
    await settle();
    const result = inside(item("sandbox"), "profile-test-result");
    expect(result.dataset.ok).toBe("false");
    expect(inside(result, "command-error-title").textContent).toContain("61004 · The caller IP is not on the platform's whitelist");
    expect(inside(result, "command-error-ip").textContent).toContain("203.0.113.7");
    expect(inside(result, "command-error-hint").textContent).toContain("Add the IP to the whitelist");
  });
});
