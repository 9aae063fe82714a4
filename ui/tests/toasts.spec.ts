import { afterEach, describe, expect, it } from "vitest";
import { MessagePlugin, NotifyPlugin } from "tdesign-vue-next";
import type { CommandError } from "../src/api";
import { usePrefsStore } from "../src/stores/prefs";
import { mockShell, mountConsole, settle } from "./helpers";

const now = () => Math.floor(Date.now() / 1000);

const EXPIRED: CommandError = {
  code: "we_chat",
  message: "api_component_token: errcode 61005: component verify ticket is expired",
  hint: null,
  errcode: 61005,
  explanation: {
    errcode: 61005,
    known: true,
    kind: "ticket",
    zh: "component_verify_ticket 已过期",
    en: "The component_verify_ticket has expired",
    hint_zh: "等待微信推送新票据，或手动粘贴",
    hint_en: "Wait for a new ticket push, or paste one",
    retryable: false,
    client_ip: null,
    rid: null,
  },
};

const texts = (selector: string): string[] =>
  [...document.querySelectorAll<HTMLElement>(selector)].map((e) => e.textContent?.trim() ?? "");

// A toast is on screen while the language changes: it must read the new language, not stay in
// the one it was raised in.
describe("toasts follow the language switch", () => {
  afterEach(() => {
    MessagePlugin.closeAll();
    NotifyPlugin.closeAll();
  });

  it("turns a success message raised in Chinese into English", async () => {
    localStorage.clear();
    mockShell(undefined, {
      component_token_refresh: () => ({
        profile: "sandbox",
        token_source: "local",
        cached: true,
        fetched_at: now(),
        expires_at: now() + 7200,
        expires_in: 7200,
        tail: "••••frsh",
      }),
    });
    const { byTestId } = await mountConsole("/tokens");
    byTestId("token-refresh").click();
    await settle();
    expect(texts("[data-testid='success-toast']")).toEqual(["已获取新的 component_access_token"]);

    byTestId("lang-toggle").click();
    await settle();
    expect(usePrefsStore().locale).toBe("en");
    expect(texts("[data-testid='success-toast']")).toEqual(["Got a new component_access_token"]);
  });

  it("turns an error notification raised in Chinese into English, its context too", async () => {
    localStorage.clear();
    mockShell(undefined, {
      component_token_refresh: () => {
        throw EXPIRED;
      },
    });
    const { byTestId } = await mountConsole("/tokens");
    byTestId("token-refresh").click();
    await settle();
    const title = () => texts("[data-testid='error-toast-title']").at(-1) ?? "";
    const body = () => texts("[data-testid='error-toast']").at(-1) ?? "";
    expect(title()).toContain("操作失败");
    expect(body()).toContain("component_verify_ticket 已过期");
    const zhTitle = title();

    byTestId("lang-toggle").click();
    await settle();
    expect(title()).toContain("Operation failed");
    expect(title()).not.toMatch(/[\u4e00-\u9fff]/);
    expect(title()).not.toBe(zhTitle);
    expect(body()).toContain("The component_verify_ticket has expired");
    expect(body()).toContain("Wait for a new ticket push, or paste one");
  });
});
