import { describe, expect, it } from "vitest";
import { mockShell, mountConsole, SAMPLE_INFO, settle } from "./helpers";

describe("app info", () => {
  it("shows version, data dir and an available keychain", async () => {
    mockShell();
    const { text, byTestId } = await mountConsole("/profiles");
    expect(text("app-version")).toBe("0.1.0-test");
    expect(text("app-data-dir")).toBe("/home/op/.local/share/wxopen-console");
    expect(text("keychain-status")).toBe("可用（secret-service）");
    expect(byTestId("keychain-status").dataset.available).toBe("true");
    expect(document.querySelector("[data-testid='keychain-warning']")).toBeNull();
    expect(document.querySelector("[data-testid='ipc-error']")).toBeNull();
  });

  it("warns with the detail when the keychain is not available", async () => {
    mockShell({
      ...SAMPLE_INFO,
      keychain: { available: false, backend: "secret-service", detail: "org.freedesktop.secrets was not provided" },
    });
    const { text, byTestId } = await mountConsole("/profiles");
    expect(text("app-version")).toBe("0.1.0-test");
    expect(byTestId("keychain-status").dataset.available).toBe("false");
    expect(text("keychain-status")).toBe("不可用（secret-service）");
    const warning = byTestId("keychain-warning");
    expect(warning.classList.contains("t-alert--warning")).toBe(true);
    expect(warning.textContent).toContain("系统钥匙串不可用");
    expect(warning.textContent).toContain("org.freedesktop.secrets was not provided");
  });

  it("shows an IPC failure in an error alert instead of dropping it", async () => {
    mockShell({ reject: { code: "Storage", message: "database is locked", hint: "close the other instance" } });
    const { byTestId, text } = await mountConsole("/profiles");
    const alert = byTestId("ipc-error");
    expect(alert.classList.contains("t-alert--error")).toBe(true);
    expect(alert.textContent).toContain("[Storage] database is locked");
    expect(alert.textContent).toContain("close the other instance");
    expect(text("about-unavailable")).toBe("无法读取应用信息");
    expect(document.querySelector("[data-testid='app-version']")).toBeNull();

    // The alert is on every screen, not only where app info is shown.
    byTestId("nav-messages").click();
    await settle();
    expect(byTestId("ipc-error").textContent).toContain("database is locked");
  });

  it("shows a keychain that never answered as an error with what to check", async () => {
    mockShell({
      reject: {
        code: "keychain",
        message: "the keychain (Secret Service (D-Bus)) did not answer within 5 s",
        hint: "Is gnome-keyring/KWallet running and unlocked?",
        errcode: null,
        explanation: null,
      },
    });
    const { byTestId, text } = await mountConsole("/profiles");
    const alert = byTestId("ipc-error");
    expect(alert.textContent).toContain("[keychain] the keychain (Secret Service (D-Bus)) did not answer within 5 s");
    expect(alert.textContent).toContain("Is gnome-keyring/KWallet running and unlocked?");
    expect(text("about-unavailable")).toBe("无法读取应用信息");
  });
});
