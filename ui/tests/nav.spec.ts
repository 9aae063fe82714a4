import { describe, expect, it } from "vitest";
import { mockShell, mountConsole, SAMPLE_PROFILE, settle } from "./helpers";
import { useProfilesStore } from "../src/stores/profiles";

const NAV_IDS = ["nav-authorizers", "nav-changes", "nav-health", "nav-auth-links", "nav-tokens", "nav-messages", "nav-activity", "nav-profiles"];

describe("navigation", () => {
  it("shows the screens in Chinese, in DESIGN.md's order, Health above Profiles while nothing is synced", async () => {
    mockShell();
    const { text } = await mountConsole();
    expect(NAV_IDS.map(text)).toEqual(["授权方", "变更", "健康", "授权链接", "票据与令牌", "消息", "活动", "设置"]);
    const order = [...document.querySelectorAll("[data-testid^='nav-']")].map((el) => el.getAttribute("data-testid"));
    expect(order).toEqual(NAV_IDS);
    expect(text("app-title")).toContain("WxOpen Console");
    expect(text("app-title")).toContain("微信开放平台控制台");
  });

  it("puts Health first once the profile has data (a sync ran)", async () => {
    const run = {
      id: 3, profile_id: 1, state: "done", with_details: true, list_done: true, total_count: 5, next_offset: 5,
      details_total: 5, details_done: 5, errors: 0, last_error: null, revoked: 0, started_at: 1, updated_at: 2, finished_at: 2,
    };
    mockShell(undefined, { sync_latest: () => ({ latest: run, running: false }) });
    await mountConsole("/authorizers");
    await settle();
    const order = [...document.querySelectorAll("[data-testid^='nav-']")].map((el) => el.getAttribute("data-testid"));
    expect(order.slice(0, 3)).toEqual(["nav-health", "nav-authorizers", "nav-changes"]);
  });

  it("redirects / to the authorizers screen", async () => {
    mockShell();
    const { router, text } = await mountConsole("/");
    expect(router.currentRoute.value.path).toBe("/authorizers");
    expect(text("page-title")).toBe("授权方");
  });

  it("opens a screen when its nav item is clicked", async () => {
    mockShell();
    const { router, byTestId, text } = await mountConsole("/authorizers");
    byTestId("nav-tokens").click();
    await settle();
    expect(router.currentRoute.value.path).toBe("/tokens");
    expect(text("page-title")).toBe("票据与令牌");
    expect(text("page-description")).toContain("component_verify_ticket");

    byTestId("nav-profiles").click();
    await settle();
    expect(router.currentRoute.value.path).toBe("/profiles");
    expect(text("page-title")).toBe("设置");
  });

  it("keeps Authorizers highlighted on an authorizer's detail page", async () => {
    mockShell();
    const { byTestId, text } = await mountConsole("/authorizers/wx0123456789abcdef");
    expect(text("page-title")).toBe("授权方详情");
    expect(text("authorizer-appid")).toBe("wx0123456789abcdef");
    const activeItem = byTestId("nav-authorizers").closest("li");
    expect(activeItem?.className).toContain("is-active");
    expect(byTestId("nav-tokens").closest("li")?.className).not.toContain("is-active");
  });

  it("shows the selected profile and switches to another one", async () => {
    const other = { ...SAMPLE_PROFILE, id: 2, name: "prod", is_sandbox: false, selected: false };
    let selected = "sandbox";
    const shell = mockShell(undefined, {
      profiles_list: () => [
        { ...SAMPLE_PROFILE, selected: selected === "sandbox" },
        { ...other, selected: selected === "prod" },
      ],
      profile_select: (args) => {
        selected = String(args.name);
        return other;
      },
    });
    const { byTestId, wrapper } = await mountConsole();
    const input = byTestId("profile-switcher").querySelector("input");
    expect(input?.value).toBe("sandbox (沙箱)");
    expect(input?.disabled).toBe(false);
    const store = useProfilesStore();
    const before = store.generation;
    await store.select("prod");
    await settle();
    expect(shell.args("profile_select")).toEqual([{ name: "prod" }]);
    expect(store.current?.name).toBe("prod");
    expect(store.generation).toBe(before + 1);
    expect(byTestId("profile-switcher").querySelector("input")?.value).toBe("prod");
    wrapper.unmount();
  });

  it("sends a first run (no profile) to the welcome page", async () => {
    mockShell(undefined, { profiles_list: () => [] });
    const { router, byTestId } = await mountConsole("/authorizers");
    expect(router.currentRoute.value.name).toBe("welcome");
    expect(byTestId("welcome")).toBeTruthy();
    // Settings stay reachable without a profile.
    await router.push("/profiles");
    expect(router.currentRoute.value.name).toBe("profiles");
  });
});
