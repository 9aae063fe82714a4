import { describe, expect, it, vi } from "vitest";
import type { OpenBinding, OptionRow } from "../src/api";
import { mockShell, mountConsole, SAMPLE_PROFILE, settle, type Handler } from "./helpers";
import { failure, NOW, row, view } from "./authorizers.fixtures";

// Mounting the whole app with TDesign drawers and dialogs is slow in happy-dom.
vi.setConfig({ testTimeout: 20_000 });

const APPID = "wx0000000000000001";
const OPEN = "wx1234567890abcdef";
const CLIPBOARD = "plugin:clipboard-manager|write_text";

const testid = (id: string): HTMLElement | null => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const all = (id: string): HTMLElement[] => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

function lastToast(): string {
  const toasts = all("error-toast");
  return toasts[toasts.length - 1]?.textContent ?? "";
}

/** Options as WeChat holds them in this fake: set writes, get reads. */
function optionsShell(initial: Record<string, string> = { location_report: "1", voice_recognize: "1", customer_service: "0" }) {
  const held = { ...initial };
  const reply = (name: string): OptionRow => ({ appid: APPID, name, value: held[name] ?? "0", fetched_at: NOW });
  return {
    option_get: ((args) => reply(String(args.name))) as Handler,
    option_set: ((args) => {
      held[String(args.name)] = String(args.value);
      return reply(String(args.name));
    }) as Handler,
  };
}

function openShell(initial: string | null = null) {
  let bound = initial;
  const reply = (): OpenBinding => ({ appid: APPID, open_appid: bound, checked_at: NOW });
  return {
    open_get: (() => reply()) as Handler,
    open_create: (() => {
      bound = "wxfeedfacecafe0001";
      return reply();
    }) as Handler,
    open_bind: ((args) => {
      bound = String(args.openAppid);
      return reply();
    }) as Handler,
    open_unbind: (() => {
      bound = null;
      return reply();
    }) as Handler,
  };
}

function shell(over: Record<string, Handler> = {}) {
  return mockShell(undefined, {
    authorizers_search: () => ({ total: 1, rows: [row(1, { appid: APPID })] }),
    authorizer_view: () => view(),
    ...optionsShell(),
    ...openShell(),
    [CLIPBOARD]: () => null,
    ...over,
  });
}

async function openFromTable(): Promise<void> {
  await mountConsole("/authorizers");
  document.querySelector<HTMLElement>(`[data-testid=authorizer-row][data-appid="${APPID}"]`)!.click();
  await settle();
}

async function type(id: string, value: string): Promise<void> {
  const input = testid(id)!.querySelector<HTMLInputElement>("input")!;
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
}

describe("authorizer detail", () => {
  it("shows the stored info, mini program domains and categories, and permissions by name", async () => {
    const s = shell();
    await openFromTable();
    expect(s.args("authorizer_view")).toEqual([{ appid: APPID }]);
    expect(testid("detail-appid")!.textContent).toBe(APPID);
    expect(testid("detail-nickname")!.textContent).toBe("小程序一号");
    const detail = testid("authorizer-detail")!;
    expect(detail.textContent).toContain("gh_mp0000000001");
    expect(detail.textContent).toContain("普通小程序");
    expect(detail.textContent).toContain("微信认证");
    expect(detail.textContent).toContain("https://api.example.com");
    expect(detail.textContent).toContain("wss://api.example.com");
    expect(testid("detail-categories")!.textContent).toContain("工具 / 效率");
    expect(testid("detail-business")!.textContent).toContain("微信支付 · 是");
    expect(testid("detail-qrcode")!.getAttribute("src")).toContain("/sandbox/img/qrcode/");

    const perms = all("permission-item");
    expect(perms.map((p) => p.dataset.id)).toEqual(["17", "18", "25", "2048"]);
    expect(perms[1]!.textContent).toContain("开发管理与数据分析");
    expect(perms[2]!.textContent).toContain("待确认");
    expect(perms[3]!.textContent?.trim()).toBe("#2048");
  });

  it("parses missing or broken raw info without failing", async () => {
    shell({ authorizer_view: () => view({ raw_info: "{not json", permissions: [] }) });
    await openFromTable();
    expect(testid("detail-no-raw-info")).not.toBeNull();
    expect(testid("detail-nickname")!.textContent).toBe("小程序一号");
  });

  it("explains a detail that cannot be read", async () => {
    shell({
      authorizer_view: () => {
        throw failure();
      },
    });
    await openFromTable();
    expect(testid("detail-error")!.textContent).toContain("调用方 IP 不在白名单中");
  });

  it("works as a deep link and closes back to the table", async () => {
    shell();
    const { router } = await mountConsole(`/authorizers/${APPID}`);
    expect(testid("authorizer-detail")!.dataset.appid).toBe(APPID);
    expect(testid("detail-nickname")!.textContent).toBe("小程序一号");
    testid("detail-close")!.click();
    await settle();
    expect(router.currentRoute.value.path).toBe("/authorizers");
  });

  it("re-reads the info from WeChat and tells the table", async () => {
    const s = shell({ authorizer_fetch: () => view({ authorizer: row(1, { appid: APPID, nick_name: "改名了" }) }) });
    const changed = vi.fn();
    window.addEventListener("wxopen:authorizers-changed", changed);
    await openFromTable();
    testid("detail-refresh-info")!.click();
    await settle();
    window.removeEventListener("wxopen:authorizers-changed", changed);
    expect(s.args("authorizer_fetch")).toEqual([{ appid: APPID }]);
    expect(testid("detail-nickname")!.textContent).toBe("改名了");
    expect(changed).toHaveBeenCalled();
  });

  it("reads every option from WeChat and sets one, showing what WeChat reads back", async () => {
    const s = shell();
    await openFromTable();
    expect(s.args("option_get").map((a) => a.name).sort()).toEqual(["customer_service", "location_report", "voice_recognize"]);
    expect(testid("option-location_report")!.dataset.value).toBe("1");
    expect(testid("option-voice_recognize")!.dataset.value).toBe("1");
    expect(testid("option-customer_service")!.dataset.value).toBe("0");

    testid("option-location_report-2")!.click();
    await settle();
    expect(s.args("option_set")).toEqual([{ appid: APPID, name: "location_report", value: "2" }]);
    expect(testid("option-location_report")!.dataset.value).toBe("2");

    testid("option-voice_recognize")!.click();
    await settle();
    expect(s.args("option_set")[1]).toEqual({ appid: APPID, name: "voice_recognize", value: "0" });
    expect(testid("option-voice_recognize")!.dataset.value).toBe("0");
  });

  it("shows the value WeChat holds even when it differs from the one set", async () => {
    const s = shell({ option_set: (args) => ({ appid: APPID, name: String(args.name), value: "0", fetched_at: NOW }) });
    await openFromTable();
    testid("option-customer_service")!.click();
    await settle();
    expect(s.args("option_set")).toEqual([{ appid: APPID, name: "customer_service", value: "1" }]);
    expect(testid("option-customer_service")!.dataset.value).toBe("0");
  });

  it("rolls an option back and explains why when setting it fails", async () => {
    shell({
      option_set: () => {
        throw failure(61013, "api_set_authorizer_option: errcode 61013");
      },
    });
    await openFromTable();
    testid("option-location_report-0")!.click();
    await settle();
    expect(testid("option-location_report")!.dataset.value).toBe("1");
    expect(lastToast()).toContain("调用方 IP 不在白名单中");
  });

  it("says when the options cannot be read", async () => {
    shell({
      option_get: () => {
        throw failure();
      },
    });
    await openFromTable();
    expect(testid("options-error")!.textContent).toContain("调用方 IP 不在白名单中");
    // The cached value stays on screen.
    expect(testid("option-voice_recognize")!.dataset.value).toBe("1");
  });

  it("binds an open account from a dialog that validates the id", async () => {
    const s = shell();
    await openFromTable();
    expect(s.args("open_get")).toEqual([{ appid: APPID }]);
    expect(testid("open-appid")!.textContent).toBe("");

    testid("open-bind")!.click();
    await settle();
    expect(testid("open-bind-dialog")!.textContent).toContain(APPID);
    await type("open-bind-input", "wx123");
    testid("open-bind-confirm")!.click();
    await settle();
    expect(s.count("open_bind")).toBe(0);
    expect(testid("open-bind-dialog")!.textContent).toContain("16 位十六进制");

    await type("open-bind-input", OPEN);
    expect(testid("open-bind-dialog")!.textContent).toContain(OPEN);
    testid("open-bind-confirm")!.click();
    await settle();
    expect(s.args("open_bind")).toEqual([{ appid: APPID, openAppid: OPEN }]);
    expect(testid("open-appid")!.textContent).toBe(OPEN);
    expect(testid("open-bind-dialog")).toBeNull();
  });

  it("creates an open account", async () => {
    const s = shell();
    await openFromTable();
    testid("open-create")!.click();
    await settle();
    expect(s.args("open_create")).toEqual([{ appid: APPID }]);
    expect(testid("open-appid")!.textContent).toBe("wxfeedfacecafe0001");
  });

  it("unbinds only after a dialog naming both ids", async () => {
    const s = shell(openShell(OPEN));
    await openFromTable();
    expect(testid("open-appid")!.textContent).toBe(OPEN);
    testid("open-unbind")!.click();
    await settle();
    const dialog = testid("open-unbind-dialog")!;
    expect(dialog.textContent).toContain(APPID);
    expect(dialog.textContent).toContain(OPEN);
    expect(s.count("open_unbind")).toBe(0);
    testid("open-unbind-confirm")!.click();
    await settle();
    expect(s.args("open_unbind")).toEqual([{ appid: APPID, openAppid: OPEN, confirm: true }]);
    expect(testid("open-appid")!.textContent).toBe("");
  });

  it("explains a failed binding change", async () => {
    shell({
      open_create: () => {
        throw failure(89000, "open/create: errcode 89000");
      },
    });
    await openFromTable();
    testid("open-create")!.click();
    await settle();
    expect(lastToast()).toContain("调用方 IP 不在白名单中");
    expect(testid("open-appid")!.textContent).toBe("");
  });

  it("shows the token state and refreshes it", async () => {
    const expires = Math.floor(Date.now() / 1000) + 7000;
    const s = shell({
      authorizer_token_refresh: () => ({ appid: APPID, has_refresh_token: true, access_expires_at: expires, refresh_token_tail: "••••cd34" }),
    });
    await openFromTable();
    const token = testid("detail-token")!;
    expect(token.dataset.hasRefreshToken).toBe("true");
    expect(token.textContent).toContain("••••ab12");
    expect(token.textContent).toContain("未缓存");
    testid("detail-refresh-token")!.click();
    await settle();
    expect(s.args("authorizer_token_refresh")).toEqual([{ confirmed: false, appid: APPID }]);
    expect(testid("detail-token")!.dataset.expiresAt).toBe(String(expires));
    expect(testid("detail-token")!.textContent).toMatch(/1h 5\dm/);
  });

  it("on a shared profile, refreshes the account's token only after a confirmation, and never when read-only", async () => {
    const shared = (writes: boolean) => {
      const p = {
        ...SAMPLE_PROFILE,
        is_sandbox: false,
        token_source: "shared" as const,
        shared_source: {
          kind: "redis" as const,
          url: "redis://10.0.0.5:6379/0",
          layout: { kind: "preset" as const, preset: "wxjava" as const, prefix: null },
          writes,
          ca_file: null,
        },
      };
      return { profiles_list: () => [p], profile_select: () => p };
    };
    const expires = Math.floor(Date.now() / 1000) + 7000;
    const s = shell({
      ...shared(true),
      authorizer_token_refresh: () => ({ appid: APPID, has_refresh_token: true, access_expires_at: expires, refresh_token_tail: "••••cd34" }),
    });
    await openFromTable();
    testid("detail-refresh-token")!.click();
    await settle();
    expect(s.count("authorizer_token_refresh")).toBe(0);
    expect(testid("confirm-dialog-body")!.textContent).toContain(`将为 ${APPID} 获取新令牌并写入共享存储`);
    testid("detail-refresh-token-confirm")!.click();
    await settle();
    expect(s.args("authorizer_token_refresh")).toEqual([{ confirmed: true, appid: APPID }]);
    document.body.innerHTML = "";

    shell(shared(false));
    await openFromTable();
    expect((testid("detail-refresh-token") as HTMLButtonElement).disabled).toBe(true);
  });

  it("copies the appid, the original id and the open appid", async () => {
    const s = shell(openShell(OPEN));
    await openFromTable();
    testid("copy-appid")!.click();
    testid("copy-user-name")!.click();
    testid("copy-open-appid")!.click();
    await settle();
    expect(s.args(CLIPBOARD).map((a) => a.text)).toEqual([APPID, "gh_mp0000000001", OPEN]);
  });
});
