import { afterEach, describe, expect, it, vi } from "vitest";
import { mockShell, mountConsole, SAMPLE_PROFILE, settle, type Handler } from "./helpers";
import type { AuthLink, AuthorizerView, CommandError, ProfileView } from "../src/api";
import { useProfilesStore } from "../src/stores/profiles";

const MOBILE = "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=wx5a4db0c0ffee0001&pre_auth_code=preauthcode%40%40%40abc#wechat_redirect";
const PC = "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wx5a4db0c0ffee0001&pre_auth_code=preauthcode%40%40%40abc";
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240"><rect width="240" height="240" fill="#fff"/></svg>';

function link(expiresIn = 600, over: Partial<AuthLink> = {}): AuthLink {
  return {
    pc_link: PC,
    mobile_link: MOBILE,
    mobile_qr_svg: SVG,
    expires_at: Math.floor(Date.now() / 1000) + expiresIn,
    redirect_uri: "https://example.com/cb",
    auth_type: 3,
    biz_appid: null,
    ...over,
  };
}

const AUTHORIZER: AuthorizerView = {
  authorizer: {
    appid: "wx00000000000000a1",
    nick_name: "沙箱公众号",
    head_img: "",
    kind: "official_account",
    service_type: 2,
    verify_type: 0,
    user_name: "gh_000000000001",
    principal_name: "沙箱科技",
    alias: "",
    qrcode_url: "",
    auth_time: 1_795_000_000,
    status: "authorized",
    status_changed_at: 1_795_000_000,
    has_open: null,
    has_refresh_token: true,
    info_fetched_at: 1_795_000_000,
    details_error: null,
    listed_at: null,
  },
  raw_info: null,
  permissions: [],
  last_seen_sync_id: null,
  token: { appid: "wx00000000000000a1", has_refresh_token: true, access_expires_at: null, refresh_token_tail: null },
  options: [],
  open: null,
};

const FAILURE: CommandError = {
  code: "we_chat",
  message: "api_query_auth: errcode 61010 (code is expired)",
  hint: null,
  errcode: 61010,
  explanation: {
    errcode: 61010,
    known: true,
    kind: "auth",
    zh: "授权码已过期或已被使用",
    en: "The authorization code expired or was already used",
    hint_zh: "请管理员重新授权",
    hint_en: "Have the administrator authorize again",
    retryable: false,
    client_ip: null,
    rid: null,
  },
};

const CLIPBOARD = "plugin:clipboard-manager|write_text";

function withProfile(over: Partial<ProfileView>): Record<string, Handler> {
  return { profiles_list: () => [{ ...SAMPLE_PROFILE, ...over }] };
}

function input(root: HTMLElement): HTMLInputElement {
  const el = root.querySelector("input");
  if (!el) throw new Error("no input inside");
  return el;
}

async function type(root: HTMLElement, value: string): Promise<void> {
  const el = input(root);
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
}

/** Toasts of earlier tests may still be fading out: the newest one is this test's. */
function lastToast(id = "error-toast"): string {
  const all = document.querySelectorAll<HTMLElement>(`[data-testid='${id}']`);
  return all[all.length - 1]?.textContent ?? "";
}

afterEach(() => {
  vi.useRealTimers();
});

describe("authorization links", () => {
  it("prefills the profile's redirect URI and generates both links with the form's values", async () => {
    const shell = mockShell(undefined, {
      ...withProfile({ redirect_uri: "https://example.com/cb" }),
      link_create: () => link(),
    });
    const { byTestId, text } = await mountConsole("/auth-links");
    expect(input(byTestId("link-redirect-uri")).value).toBe("https://example.com/cb");
    expect(document.querySelector("[data-testid='link-result']")).toBeNull();

    await type(byTestId("link-biz-appid"), "wx1234567890abcdef");
    byTestId("link-generate").click();
    await settle();

    expect(shell.args("link_create")).toEqual([
      { request: { redirect_uri: "https://example.com/cb", auth_type: 3, biz_appid: "wx1234567890abcdef" } },
    ]);
    expect(byTestId("link-result").dataset.expired).toBe("false");
    expect(text("link-mobile")).toBe(MOBILE);
    expect(text("link-pc")).toBe(PC);
    expect(byTestId("link-mobile-qr").querySelector("svg")).not.toBeNull();
    expect(text("link-pc-note")).toContain("授权发起页域名");
    expect(text("link-countdown")).toMatch(/^(10m 00s|9m 5\ds) 后过期$/);
    // The PC link gets no QR code: it only works when clicked from the platform's domain.
    const pictures = [...document.querySelectorAll("[data-testid='link-result'] svg")].filter((s) => !s.closest("button"));
    expect(pictures).toHaveLength(1);
  });

  it("sends no biz_appid when it is blank and validates the inputs before calling the core", async () => {
    const shell = mockShell(undefined, { link_create: () => link() });
    const { byTestId } = await mountConsole("/auth-links");
    // SAMPLE_PROFILE has no redirect URI yet.
    expect(input(byTestId("link-redirect-uri")).value).toBe("");

    byTestId("link-generate").click();
    await settle();
    expect(shell.count("link_create")).toBe(0);
    expect(document.body.textContent).toContain("请填写回调地址");

    await type(byTestId("link-redirect-uri"), "ftp://example.com/cb");
    await type(byTestId("link-biz-appid"), "wx123");
    byTestId("link-generate").click();
    await settle();
    expect(shell.count("link_create")).toBe(0);
    expect(document.body.textContent).toContain("回调地址须为 http:// 或 https://");
    expect(document.body.textContent).toContain("AppID 应为 wx 加 16 位十六进制字符");

    await type(byTestId("link-redirect-uri"), "https://example.com/cb?x=1");
    await type(byTestId("link-biz-appid"), "");
    byTestId("link-generate").click();
    await settle();
    expect(shell.args("link_create")).toEqual([
      { request: { redirect_uri: "https://example.com/cb?x=1", auth_type: 3, biz_appid: null } },
    ]);
  });

  it("sends the chosen authorization type", async () => {
    const shell = mockShell(undefined, {
      ...withProfile({ redirect_uri: "https://example.com/cb" }),
      link_create: () => link(),
    });
    const { byTestId } = await mountConsole("/auth-links");
    byTestId("link-auth-type").querySelector<HTMLElement>("input")!.click();
    await settle();
    const option = [...document.querySelectorAll<HTMLElement>(".t-select-option")].find((o) =>
      o.textContent?.includes("仅小程序"),
    );
    option!.click();
    await settle();
    byTestId("link-generate").click();
    await settle();
    expect(shell.args("link_create")).toEqual([
      { request: { redirect_uri: "https://example.com/cb", auth_type: 2, biz_appid: null } },
    ]);
  });

  it("shows only the latest link: each generation replaces the previous one", async () => {
    let n = 0;
    mockShell(undefined, {
      ...withProfile({ redirect_uri: "https://example.com/cb" }),
      link_create: () => {
        n++;
        return link(600, { mobile_link: `${MOBILE}&n=${n}`, pc_link: `${PC}&n=${n}` });
      },
    });
    const { byTestId, text } = await mountConsole("/auth-links");
    byTestId("link-generate").click();
    await settle();
    expect(text("link-mobile")).toContain("&n=1");
    byTestId("link-generate").click();
    await settle();
    expect(document.querySelectorAll("[data-testid='link-result']")).toHaveLength(1);
    expect(text("link-mobile")).toContain("&n=2");
    expect(text("link-pc")).toContain("&n=2");
  });

  it("copies a link to the clipboard", async () => {
    const shell = mockShell(undefined, {
      ...withProfile({ redirect_uri: "https://example.com/cb" }),
      link_create: () => link(),
      [CLIPBOARD]: () => null,
    });
    const { byTestId } = await mountConsole("/auth-links");
    byTestId("link-generate").click();
    await settle();
    byTestId("link-mobile-copy").click();
    await settle();
    byTestId("link-pc-copy").click();
    await settle();
    const copied = shell.args(CLIPBOARD).map((a) => JSON.stringify(a));
    expect(copied).toHaveLength(2);
    expect(copied[0]).toContain(JSON.stringify(MOBILE));
    expect(copied[1]).toContain(JSON.stringify(PC));
    expect(document.body.textContent).toContain("已复制到剪贴板");
  });

  it("counts down and greys the links out once expired", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    mockShell(undefined, {
      ...withProfile({ redirect_uri: "https://example.com/cb" }),
      link_create: () => link(3),
    });
    const { byTestId, text } = await mountConsole("/auth-links");
    byTestId("link-generate").click();
    await settle();
    expect(text("link-countdown")).toBe("3s 后过期");
    expect(byTestId("link-mobile-copy").hasAttribute("disabled")).toBe(false);

    vi.advanceTimersByTime(4000);
    await settle();
    const result = byTestId("link-result");
    expect(result.dataset.expired).toBe("true");
    expect(result.classList.contains("is-expired")).toBe(true);
    expect(text("link-countdown")).toBe("已过期，请重新生成。");
    expect(byTestId("link-mobile").getAttribute("aria-disabled")).toBe("true");
    expect(byTestId("link-pc").getAttribute("aria-disabled")).toBe("true");
    expect(byTestId("link-mobile-qr").getAttribute("aria-disabled")).toBe("true");
    expect(byTestId("link-mobile-copy").hasAttribute("disabled")).toBe(true);
    expect(byTestId("link-pc-copy").hasAttribute("disabled")).toBe(true);
  });

  it("shows the explained error when the core cannot make a link", async () => {
    mockShell(undefined, {
      ...withProfile({ redirect_uri: "https://example.com/cb" }),
      link_create: () => {
        throw { ...FAILURE, errcode: 61004, message: "api_create_preauthcode: errcode 61004", explanation: { ...FAILURE.explanation!, errcode: 61004, zh: "调用 IP 不在白名单中", client_ip: "203.0.113.7" } };
      },
    });
    const { byTestId } = await mountConsole("/auth-links");
    byTestId("link-generate").click();
    await settle();
    expect(lastToast()).toContain("61004 · 调用 IP 不在白名单中");
    expect(lastToast("error-toast-ip")).toContain("203.0.113.7");
    expect(document.querySelector("[data-testid='link-result']")).toBeNull();
  });

  it("completes an authorization from a pasted URL and announces the new authorizer", async () => {
    const shell = mockShell(undefined, { auth_complete: () => AUTHORIZER });
    const announced = vi.fn();
    window.addEventListener("wxopen:authorizers-changed", announced);
    const { byTestId, router } = await mountConsole("/auth-links");
    const url = "https://example.com/cb?auth_code=queryauthcode%40%40%40x&expires_in=600";
    await type(byTestId("auth-complete-input"), url);
    byTestId("auth-complete-submit").click();
    await settle();
    window.removeEventListener("wxopen:authorizers-changed", announced);

    expect(shell.args("auth_complete")).toEqual([{ codeOrUrl: url }]);
    const result = byTestId("auth-complete-result");
    expect(result.dataset.appid).toBe("wx00000000000000a1");
    expect(result.textContent).toContain("沙箱公众号");
    expect(result.textContent).toContain("公众号");
    expect(announced).toHaveBeenCalledTimes(1);

    byTestId("auth-complete-view").click();
    await settle();
    expect(router.currentRoute.value.path).toBe("/authorizers/wx00000000000000a1");
  });

  it("explains a failed completion in the current language", async () => {
    mockShell(undefined, {
      auth_complete: () => {
        throw FAILURE;
      },
    });
    const { byTestId } = await mountConsole("/auth-links");
    await type(byTestId("auth-complete-input"), "queryauthcode@@@x");
    byTestId("auth-complete-submit").click();
    await settle();
    expect(lastToast()).toContain("授权码已过期或已被使用");
    expect(lastToast("error-toast-hint")).toBe("请管理员重新授权");
    expect(document.querySelector("[data-testid='auth-complete-result']")).toBeNull();
  });

  it("clears the link and takes the new profile's redirect URI after a profile switch", async () => {
    let redirect = "https://a.example.com/cb";
    mockShell(undefined, {
      profiles_list: () => [{ ...SAMPLE_PROFILE, redirect_uri: redirect }],
      link_create: () => link(),
      auth_complete: () => AUTHORIZER,
    });
    const { byTestId } = await mountConsole("/auth-links");
    byTestId("link-generate").click();
    await type(byTestId("auth-complete-input"), "code");
    byTestId("auth-complete-submit").click();
    await settle();
    expect(document.querySelector("[data-testid='link-result']")).not.toBeNull();
    expect(document.querySelector("[data-testid='auth-complete-result']")).not.toBeNull();

    redirect = "https://b.example.com/cb";
    await useProfilesStore().changed();
    await settle();
    expect(document.querySelector("[data-testid='link-result']")).toBeNull();
    expect(document.querySelector("[data-testid='auth-complete-result']")).toBeNull();
    expect(input(byTestId("link-redirect-uri")).value).toBe("https://b.example.com/cb");
  });
});
