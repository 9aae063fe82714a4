import { describe, expect, it } from "vitest";
import { STORAGE_KEYS } from "../src/stores/prefs";
import { mockShell, mountConsole, settle } from "./helpers";

const NAV_IDS = ["nav-authorizers", "nav-auth-links", "nav-tokens", "nav-messages", "nav-activity", "nav-profiles"];

describe("language", () => {
  it("starts in Chinese with <html lang> set and offers English", async () => {
    mockShell();
    const { text } = await mountConsole();
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(text("lang-toggle")).toBe("English");
  });

  it("toggles the whole UI to English and back", async () => {
    mockShell();
    const { byTestId, text } = await mountConsole("/authorizers");

    byTestId("lang-toggle").click();
    await settle();
    expect(NAV_IDS.map(text)).toEqual([
      "Authorizers",
      "Auth links",
      "Ticket & tokens",
      "Push messages",
      "Activity",
      "Profiles",
    ]);
    expect(text("page-title")).toBe("Authorizers");
    expect(document.documentElement.lang).toBe("en");
    expect(text("lang-toggle")).toBe("中文");
    expect(byTestId("profile-switcher").querySelector("input")?.value).toBe("sandbox (simulator)");
    expect(localStorage.getItem(STORAGE_KEYS.locale)).toBe("en");

    byTestId("lang-toggle").click();
    await settle();
    expect(text("nav-authorizers")).toBe("授权方");
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(localStorage.getItem(STORAGE_KEYS.locale)).toBe("zh-CN");
  });

  it("switches TDesign's own component texts too", async () => {
    mockShell();
    const { wrapper, byTestId } = await mountConsole();
    const provider = wrapper.findComponent({ name: "TConfigProvider" });
    expect(provider.exists()).toBe(true);
    const zhConfig = provider.props("globalConfig") as { pagination: { jumpTo: string } };
    expect(zhConfig.pagination.jumpTo).toBe("跳至");
    byTestId("lang-toggle").click();
    await settle();
    const enConfig = provider.props("globalConfig") as { pagination: { jumpTo: string } };
    expect(enConfig.pagination.jumpTo).toBe("Jump to");
  });

  it("restores the stored language at start", async () => {
    localStorage.setItem(STORAGE_KEYS.locale, "en");
    mockShell();
    const { text } = await mountConsole();
    expect(text("nav-profiles")).toBe("Profiles");
    expect(document.documentElement.lang).toBe("en");
  });

  it("ignores a stored language it does not know", async () => {
    localStorage.setItem(STORAGE_KEYS.locale, "fr");
    mockShell();
    const { text } = await mountConsole();
    expect(text("nav-profiles")).toBe("设置");
  });
});
