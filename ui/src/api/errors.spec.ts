import { describe, expect, it } from "vitest";
import { describeError } from "./errors";

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
