import { afterEach, describe, expect, it } from "vitest";
import { NotifyPlugin } from "tdesign-vue-next";
import { mockShell, mountConsole, SAMPLE_INFO, SAMPLE_PROFILE, settle } from "./helpers";
import type { CommandError } from "../src/api";

/** A promise the test resolves when it wants the command to answer. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("welcome (first run)", () => {
  // Toasts live on <body> outside the app: drop them so each test reads its own.
  afterEach(() => NotifyPlugin.closeAll());

  it("offers the sandbox and connecting a platform, with the app facts below", async () => {
    mockShell(undefined, { profiles_list: () => [] });
    const { text, byTestId } = await mountConsole("/authorizers");
    expect(byTestId("welcome")).toBeTruthy();
    expect(text("welcome-sandbox")).toContain("试用沙箱");
    expect(text("welcome-connect")).toContain("连接我的平台");
    expect(text("app-version")).toBe(SAMPLE_INFO.version);
    expect(byTestId("keychain-status").dataset.available).toBe("true");
    expect(document.querySelector("[data-testid=welcome-starting]")).toBeNull();
  });

  it("warns when the keychain is unavailable", async () => {
    mockShell({ ...SAMPLE_INFO, keychain: { available: false, backend: "secret-service", detail: "no D-Bus" } }, {
      profiles_list: () => [],
    });
    const { text } = await mountConsole("/welcome");
    expect(text("keychain-warning")).toContain("no D-Bus");
  });

  it("starts the sandbox with a spinner, then opens the authorizers with sync=1", async () => {
    let list: unknown[] = [];
    const answer = deferred<unknown>();
    const shell = mockShell(undefined, {
      profiles_list: () => list,
      profile_add_sandbox: async () => {
        await answer.promise;
        list = [SAMPLE_PROFILE];
        return SAMPLE_PROFILE;
      },
    });
    const { byTestId, router } = await mountConsole("/welcome");
    byTestId("welcome-sandbox").click();
    await settle();
    expect(byTestId("welcome-starting")).toBeTruthy();
    expect((byTestId("welcome-sandbox") as HTMLButtonElement).disabled).toBe(true);

    answer.resolve(null);
    await settle();
    expect(shell.count("profile_add_sandbox")).toBe(1);
    expect(router.currentRoute.value.name).toBe("authorizers");
    expect(router.currentRoute.value.query).toEqual({ sync: "1" });
  });

  it("shows why the sandbox could not start and stays on the page", async () => {
    const failure: CommandError = { code: "io", message: "port in use", hint: "close the other instance", errcode: null, explanation: null };
    mockShell(undefined, {
      profiles_list: () => [],
      profile_add_sandbox: () => {
        throw failure;
      },
    });
    const { byTestId, router } = await mountConsole("/welcome");
    byTestId("welcome-sandbox").click();
    await settle();
    expect(router.currentRoute.value.name).toBe("welcome");
    expect(document.querySelector("[data-testid=welcome-starting]")).toBeNull();
    expect(byTestId("error-toast").textContent).toContain("port in use");
    expect(byTestId("error-toast-hint").textContent).toContain("close the other instance");
  });

  it("sends 'connect my platform' to the profile form", async () => {
    mockShell(undefined, { profiles_list: () => [] });
    const { byTestId, router } = await mountConsole("/welcome");
    byTestId("welcome-connect").click();
    await settle();
    expect(router.currentRoute.value.name).toBe("profiles");
    expect(byTestId("profile-form")).toBeTruthy();
    expect(byTestId("profiles-empty")).toBeTruthy();
  });
});
