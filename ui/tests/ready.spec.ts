import { describe, expect, it } from "vitest";
import type { AppInfo } from "../src/api";
import { mockShell, mountConsole, SAMPLE_INFO, settle } from "./helpers";

describe("ui_ready", () => {
  it("is sent once, only after app_info has answered", async () => {
    let answer: (info: AppInfo) => void = () => {};
    const pending = new Promise<AppInfo>((resolve) => (answer = resolve));
    const shell = mockShell(() => pending);

    // The About card (where app info shows) is on the settings screen.
    const { byTestId, text } = await mountConsole("/profiles");
    expect(shell.count("app_info")).toBe(1);
    expect(shell.count("ui_ready")).toBe(0);
    expect(document.body.dataset.ready).toBeUndefined();
    expect(byTestId("about-loading")).toBeTruthy();

    answer(SAMPLE_INFO);
    await settle();
    expect(text("app-version")).toBe("0.1.0-test");
    expect(shell.count("app_info")).toBe(1);
    expect(shell.count("ui_ready")).toBe(1);
    expect(shell.calls.indexOf("ui_ready")).toBeGreaterThan(shell.calls.indexOf("app_info"));
    expect(document.body.dataset.ready).toBe("1");

    // Navigating and switching language do not send it again.
    byTestId("nav-activity").click();
    byTestId("lang-toggle").click();
    await settle();
    expect(shell.count("ui_ready")).toBe(1);
  });

  it("is still sent when app_info fails", async () => {
    const shell = mockShell({ reject: "no such command" });
    await mountConsole();
    expect(shell.count("ui_ready")).toBe(1);
    expect(shell.calls.indexOf("ui_ready")).toBeGreaterThan(shell.calls.indexOf("app_info"));
    expect(document.body.dataset.ready).toBe("1");
  });
});
