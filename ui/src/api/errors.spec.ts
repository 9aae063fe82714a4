import { describe, expect, it } from "vitest";
import type { CommandError } from "../bindings";
import { CommandFailure, commandError, describeError, errorView, unwrap } from "./errors";

describe("describeError", () => {
  it("formats the typed IPC error shape", () => {
    expect(
      describeError({ code: "WeChat", message: "invalid credential", errcode: 40001, hint: "refresh the token" }),
    ).toBe("[WeChat] invalid credential (errcode 40001) — refresh the token");
  });

  it("keeps strings and Error messages", () => {
    expect(describeError("boom")).toBe("boom");
    expect(describeError(new TypeError("window.__TAURI_INTERNALS__ is undefined"))).toBe(
      "window.__TAURI_INTERNALS__ is undefined",
    );
  });

  it("never returns an empty text for odd values", () => {
    expect(describeError({ other: 1 })).toBe('{"other":1}');
    expect(describeError(undefined)).toBe("undefined");
  });
});

const whitelist: CommandError = {
  code: "we_chat",
  message: "api_component_token: errcode 61004",
  hint: "core hint",
  errcode: 61004,
  explanation: {
    errcode: 61004,
    known: true,
    kind: "ip_whitelist",
    zh: "调用方 IP 不在白名单中",
    en: "The caller IP is not whitelisted",
    hint_zh: "在第三方平台设置中添加该 IP",
    hint_en: "",
    retryable: false,
    client_ip: "203.0.113.7",
    rid: null,
  },
};

describe("unwrap / commandError", () => {
  it("returns the data or throws the typed failure", async () => {
    await expect(unwrap(Promise.resolve({ status: "ok" as const, data: 7 }))).resolves.toBe(7);
    const thrown = await unwrap(Promise.resolve({ status: "error" as const, error: whitelist })).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(CommandFailure);
    expect(commandError(thrown)).toBe(whitelist);
    expect(commandError(whitelist)).toBe(whitelist);
    expect(commandError(new Error("x"))).toBeNull();
  });
});

describe("errorView", () => {
  it("explains the errcode in the current language, with the IP to whitelist", () => {
    expect(errorView(new CommandFailure(whitelist), "zh-CN")).toEqual({
      title: "61004 · 调用方 IP 不在白名单中",
      hint: "在第三方平台设置中添加该 IP",
      errcode: 61004,
      clientIp: "203.0.113.7",
      detail: "api_component_token: errcode 61004",
      code: "we_chat",
    });
    // No English hint: the core's own hint stands in.
    expect(errorView(whitelist, "en")).toMatchObject({ title: "61004 · The caller IP is not whitelisted", hint: "core hint" });
  });

  it("falls back to the core's message, or the thrown text", () => {
    const plain = { ...whitelist, explanation: null };
    expect(errorView(plain, "en")).toEqual({ title: plain.message, hint: "core hint", errcode: 61004, clientIp: null, detail: plain.message, code: plain.code });
    expect(errorView(new TypeError("no shell"), "en").title).toBe("no shell");
  });
});
