import { afterEach, describe, expect, it } from "vitest";
import { NotifyPlugin } from "tdesign-vue-next";
import type { ComponentTokenStatus, ProfileView, SharedSource, SharedTest } from "../src/api";
import { mockShell, mountConsole, SAMPLE_PROFILE, settle, type Handler } from "./helpers";

// Team mode in the window: the Tokens section of the profile form, the header badge, and the
// Ticket & tokens page of a shared profile (read-only, and with writes allowed).

const APPID = "wx0123456789abcdef";
const NOW = Math.floor(Date.now() / 1000);

function redisSource(writes: boolean): SharedSource {
  return { kind: "redis", url: "redis://10.0.0.5:6379/0", layout: { kind: "preset", preset: "wxjava", prefix: "wx" }, writes, ca_file: null };
}

function sharedProfile(writes: boolean): ProfileView {
  return {
    ...SAMPLE_PROFILE,
    id: 3,
    name: "prod",
    component_appid: APPID,
    api_base: "https://api.weixin.qq.com",
    is_sandbox: false,
    token_source: "shared",
    shared_source: redisSource(writes),
    selected: true,
    secrets: {
      appsecret: { set: true, tail: "••••3f9a" },
      token: { set: false, tail: null },
      encoding_aes_key: { set: false, tail: null },
      redis_password: { set: true, tail: "••••ss12" },
      token_api_header: { set: false, tail: null },
    },
  };
}

/** The keys as the core's presets name them (a stand-in for `shared_keys`). */
function keysOf(args: Record<string, unknown>) {
  const source = args.source as SharedSource;
  const appid = args.componentAppid as string;
  if (source.kind !== "redis" || source.layout.kind !== "preset") return [];
  const prefix = source.layout.prefix ? `${source.layout.prefix}:` : "";
  if (source.layout.preset === "wechatpy") {
    const p = source.layout.prefix ?? "wechatpy";
    return [
      { item: "ticket", key: `${p}:${appid}_component_verify_ticket` },
      { item: "component_token", key: `${p}:${appid}_component_access_token` },
      { item: "authorizer_token", key: `${p}:${appid}_{authorizer_appid}_access_token` },
      { item: "authorizer_refresh_token", key: `${p}:${appid}_{authorizer_appid}_refresh_token` },
    ];
  }
  return [
    { item: "ticket", key: `${prefix}wechat_component_verify_ticket:${appid}` },
    { item: "component_token", key: `${prefix}wechat_component_access_token:${appid}` },
    { item: "authorizer_token", key: `${prefix}wechat_authorizer_access_token:${appid}:{authorizer_appid}` },
    { item: "authorizer_refresh_token", key: `${prefix}wechat_authorizer_refresh_token:${appid}:{authorizer_appid}` },
  ];
}

const REPORT: SharedTest = {
  kind: "redis",
  location: "redis://10.0.0.5:6379/0",
  layout: "wxjava",
  writes: false,
  reachable: true,
  error: null,
  keys: [
    { item: "ticket", authorizer_appid: null, key: `wechat_component_verify_ticket:${APPID}`, present: true, ttl_secs: null, tail: "••••tick", error: null },
    {
      item: "component_token",
      authorizer_appid: null,
      key: `wechat_component_access_token:${APPID}`,
      present: false,
      ttl_secs: null,
      tail: null,
      error: {
        code: "shared_store",
        message: `the key wechat_component_access_token:${APPID} is not in Redis (the backend has not written it, or it expired)`,
        hint: "Check the layout, the key prefix and the database number against the backend's configuration.",
        errcode: null,
      },
    },
  ],
};

function sharedStatus(writes: boolean): ComponentTokenStatus {
  return {
    profile: "prod",
    token_source: "shared",
    cached: true,
    expires_at: NOW + 3600,
    fetched_at: NOW - 3,
    expires_in: 3600,
    tail: "••••a1b2",
    shared: {
      kind: "redis",
      location: "redis://10.0.0.5:6379/0",
      layout: "wxjava",
      writes,
      component_key: `wx:wechat_component_access_token:${APPID}`,
      component: {
        item: "component_token",
        authorizer_appid: null,
        key: `wx:wechat_component_access_token:${APPID}`,
        ttl_secs: 3600,
        expires_at: NOW + 3600,
        read_at: NOW - 3,
        tail: "••••a1b2",
      },
      rejections: 2,
    },
  };
}

function input(id: string): HTMLInputElement {
  const el = document.querySelector<HTMLInputElement>(`[data-testid="${id}"] input`) ?? document.querySelector<HTMLInputElement>(`input[data-testid="${id}"]`);
  if (!el) throw new Error(`no input in ${id}`);
  return el;
}

async function type(id: string, value: string): Promise<void> {
  const el = input(id);
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
}

/** TDesign handles a radio button's click on its <label>. */
async function pick(id: string): Promise<void> {
  const el = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no ${id}`);
  (el.closest("label") ?? el).click();
  await settle();
}

async function click(id: string): Promise<void> {
  const el = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`no ${id}`);
  el.click();
  await settle();
}

const keyNames = () => [...document.querySelectorAll("[data-testid=tokens-key-name]")].map((e) => e.textContent?.trim());

function withProfile(p: ProfileView, extra: Record<string, Handler> = {}) {
  return mockShell(undefined, {
    profiles_list: () => [p],
    profile_select: () => p,
    shared_keys: keysOf,
    ...extra,
  });
}

describe("team mode", () => {
  afterEach(() => {
    NotifyPlugin.closeAll();
    document.body.innerHTML = "";
  });

  it("shows the exact keys of the chosen preset for the appid, and sends the password only once, write-only", async () => {
    const added: unknown[] = [];
    const shell = mockShell(undefined, {
      shared_keys: keysOf,
      profile_add: (args) => {
        added.push(args.input);
        return sharedProfile(false);
      },
    });
    await mountConsole("/profiles?new=1");
    expect(document.querySelector("[data-testid=tokens-section]")?.getAttribute("data-mode")).toBe("local");
    await type("profile-name", "prod");
    await type("profile-appid", APPID);
    await pick("tokens-mode-shared");
    await type("tokens-redis-url", "redis://10.0.0.5:6379/0");
    expect(keyNames()).toEqual([
      `wechat_component_verify_ticket:${APPID}`,
      `wechat_component_access_token:${APPID}`,
      `wechat_authorizer_access_token:${APPID}:{authorizer_appid}`,
      `wechat_authorizer_refresh_token:${APPID}:{authorizer_appid}`,
    ]);
    await pick("tokens-preset-wechatpy");
    expect(keyNames()[1]).toBe(`wechatpy:${APPID}_component_access_token`);
    const last = shell.args("shared_keys").at(-1)!;
    expect(last.componentAppid).toBe(APPID);
    expect(last.source).toMatchObject({ kind: "redis", layout: { kind: "preset", preset: "wechatpy", prefix: null } });

    // The password is a password input, and goes out once, in profile_add.
    expect(input("profile-redis-password").type).toBe("password");
    await type("profile-redis-password", "hunter2-redis");
    // Writes stay off unless switched on, and switching them on names the consequence.
    expect(document.querySelector("[data-testid=tokens-writes-warning]")).toBeNull();
    await click("tokens-writes");
    expect(document.querySelector("[data-testid=tokens-writes-warning]")?.textContent).toContain("所有读取该键的服务都会切换到新令牌");
    await click("tokens-writes");
    await click("profile-save");
    expect(added).toHaveLength(1);
    expect((added[0] as { shared: unknown }).shared).toEqual({
      source: { kind: "redis", url: "redis://10.0.0.5:6379/0", layout: { kind: "preset", preset: "wechatpy", prefix: null }, writes: false, ca_file: null },
      redis_password: "hunter2-redis",
      header_value: null,
    });
  });

  it("edits a shared profile without ever showing its password: set ••••12, replaced only on request", async () => {
    const p = { ...sharedProfile(false), selected: false };
    const shell = withProfile(p, { profile_edit: () => p });
    await mountConsole("/profiles");
    await click("profile-edit");
    expect(document.querySelector("[data-testid=tokens-section]")?.getAttribute("data-mode")).toBe("shared");
    expect(document.querySelector("[data-testid=profile-secret-status-redis-password]")?.textContent?.trim()).toBe("已设置 ••••ss12");
    expect(document.querySelector("[data-testid=profile-redis-password]")).toBeNull();
    expect(input("tokens-prefix").value).toBe("wx");
    expect(keyNames()[1]).toBe(`wx:wechat_component_access_token:${APPID}`);

    // Saving without a change sends no tokens edit (and no password).
    await click("profile-save");
    expect(shell.args("profile_edit").at(-1)!.edit).toMatchObject({ tokens: null });

    await click("profile-edit");
    await type("tokens-prefix", "prod");
    await click("profile-save");
    expect(shell.args("profile_edit").at(-1)!.edit).toMatchObject({
      tokens: { mode: "shared", redis_password: null, source: { layout: { kind: "preset", preset: "wxjava", prefix: "prod" } } },
    });
  });

  it("tests the settings before saving: each key's presence, TTL and tail, or the error naming it", async () => {
    const shell = mockShell(undefined, { shared_keys: keysOf, shared_test_settings: () => REPORT });
    await mountConsole("/profiles?new=1");
    await type("profile-appid", APPID);
    await pick("tokens-mode-shared");
    await type("tokens-redis-url", "redis://10.0.0.5:6379/0");
    await click("tokens-test");
    const args = shell.args("shared_test_settings")[0]!;
    expect(args.componentAppid).toBe(APPID);
    expect((args.shared as { source: SharedSource }).source).toMatchObject({ kind: "redis", url: "redis://10.0.0.5:6379/0" });

    const rows = [...document.querySelectorAll<HTMLElement>("[data-testid=shared-test-key]")];
    expect(rows.map((r) => [r.dataset.item, r.dataset.present])).toEqual([
      ["ticket", "true"],
      ["component_token", "false"],
    ]);
    expect(rows[0]!.textContent).toContain("无 TTL");
    expect(rows[0]!.textContent).toContain("••••tick");
    const err = rows[1]!.querySelector<HTMLElement>("[data-testid=shared-test-key-error]")!;
    expect(err.dataset.code).toBe("shared_store");
    expect(err.textContent).toContain("共享令牌存储");
    expect(err.textContent).toContain(`the key wechat_component_access_token:${APPID} is not in Redis`);
    expect(err.textContent).toContain("Check the layout, the key prefix");
  });

  it("shows an unreachable store as message and hint", async () => {
    const down: SharedTest = {
      ...REPORT,
      reachable: false,
      keys: [],
      error: { code: "shared_store", message: "cannot reach redis://10.0.0.5:6379/0: connection refused", hint: "Check that the backend's store runs", errcode: null },
    };
    mockShell(undefined, { shared_keys: keysOf, shared_test_settings: () => down });
    await mountConsole("/profiles?new=1");
    await type("profile-appid", APPID);
    await pick("tokens-mode-shared");
    await type("tokens-redis-url", "redis://10.0.0.5:6379/0");
    await click("tokens-test");
    const alert = document.querySelector<HTMLElement>("[data-testid=shared-test-error]")!;
    expect(alert.textContent).toContain("共享令牌存储");
    expect(alert.querySelector("[data-testid=shared-test-error-message]")?.textContent).toContain("cannot reach redis://10.0.0.5:6379/0");
    expect(alert.querySelector("[data-testid=shared-test-error-hint]")?.textContent).toContain("Check that the backend's store runs");
  });

  it("a read-only shared profile: badge, source block, no paste and no refresh", async () => {
    const shell = withProfile(sharedProfile(false), { component_token_status: () => sharedStatus(false) });
    await mountConsole("/tokens");
    const badge = document.querySelector<HTMLElement>("[data-testid=shared-badge]")!;
    expect(badge.textContent?.trim()).toBe("共享 · Redis（wxjava） · 只读");
    expect(badge.dataset.writes).toBe("false");

    expect(document.querySelector("[data-testid=shared-card-key]")?.textContent).toBe(`wx:wechat_component_access_token:${APPID}`);
    expect(document.querySelector("[data-testid=shared-card-ttl]")?.textContent).toBe("1h 00m 00s");
    expect(document.querySelector("[data-testid=shared-card-rejections]")?.textContent).toBe("2");

    expect(input("ticket-input").disabled).toBe(true);
    expect(document.querySelector("[data-testid=ticket-readonly]")).toBeTruthy();
    const refresh = document.querySelector<HTMLButtonElement>("[data-testid=token-refresh]")!;
    expect(refresh.disabled).toBe(true);
    refresh.click();
    await settle();
    expect(document.querySelector("[data-testid=token-refresh-confirm]")).toBeNull();
    expect(shell.count("component_token_refresh")).toBe(0);
    expect(shell.count("ticket_set")).toBe(0);
  });

  it("a shared profile's ticket is the backend's: its key, valid while present, no countdown", async () => {
    withProfile(sharedProfile(false), {
      component_token_status: () => sharedStatus(false),
      ticket_status: () => ({
        present: true,
        received_at: null,
        source: "shared",
        age_secs: null,
        valid_for_secs: null,
        valid: true,
        tail: "••••tick",
        shared_key: `wx:wechat_component_verify_ticket:${APPID}`,
      }),
    });
    await mountConsole("/tokens");
    expect(document.querySelector("[data-testid=ticket-shared-key]")?.textContent).toBe(`wx:wechat_component_verify_ticket:${APPID}`);
    expect(document.querySelector<HTMLElement>("[data-testid=ticket-source]")?.dataset.source).toBe("shared");
    expect(document.querySelector<HTMLElement>("[data-testid=ticket-state]")?.dataset.state).toBe("valid");
    expect(document.querySelector("[data-testid=ticket-validity]")?.textContent?.trim()).toBe("—");
  });

  it("with writes allowed, Refresh asks first, naming the key and the consequence, then says it confirmed", async () => {
    const shell = withProfile(sharedProfile(true), {
      component_token_status: () => sharedStatus(true),
      component_token_refresh: () => sharedStatus(true),
    });
    await mountConsole("/tokens");
    expect(document.querySelector<HTMLElement>("[data-testid=shared-badge]")?.textContent?.trim()).toBe("共享 · Redis（wxjava） · 允许写入");
    expect(input("ticket-input").disabled).toBe(false);
    await click("token-refresh");
    expect(shell.count("component_token_refresh")).toBe(0);
    const body = document.querySelector("[data-testid=confirm-dialog-body]")?.textContent ?? "";
    expect(body).toContain(`wx:wechat_component_access_token:${APPID}`);
    expect(body).toContain("所有读取该键的服务都会切换到新令牌");
    await click("token-refresh-confirm");
    expect(shell.args("component_token_refresh")).toEqual([{ confirmed: true }]);
  });

  it("a local profile refreshes without a dialog and says it did not confirm a shared write", async () => {
    const shell = mockShell(undefined, { component_token_refresh: () => ({ ...sharedStatus(false), token_source: "local", shared: null }) });
    await mountConsole("/tokens");
    expect(document.querySelector("[data-testid=shared-badge]")).toBeNull();
    expect(document.querySelector("[data-testid=shared-card]")).toBeNull();
    await click("token-refresh");
    expect(shell.args("component_token_refresh")).toEqual([{ confirmed: false }]);
  });
});
