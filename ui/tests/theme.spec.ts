import { describe, expect, it } from "vitest";
import { STORAGE_KEYS } from "../src/stores/prefs";
import { fakeColorScheme, mockShell, mountConsole, settle } from "./helpers";

const html = document.documentElement;

function expectTheme(mode: "light" | "dark"): void {
  expect(html.dataset.theme).toBe(mode);
  expect(html.getAttribute("theme-mode")).toBe(mode === "dark" ? "dark" : null);
}

async function choose(byTestId: (id: string) => HTMLElement, choice: string): Promise<void> {
  // TDesign handles the click on the radio button's <label> (what a user or WebDriver clicks).
  byTestId(`theme-${choice}`).click();
  await settle();
}

describe("theme", () => {
  it("follows the OS colour scheme live", async () => {
    const os = fakeColorScheme(true);
    mockShell();
    await mountConsole();
    expectTheme("dark");
    os.setDark(false);
    await settle();
    expectTheme("light");
    os.setDark(true);
    await settle();
    expectTheme("dark");
  });

  it("starts light when the OS is light", async () => {
    fakeColorScheme(false);
    mockShell();
    await mountConsole();
    expectTheme("light");
  });

  it("lets the user override the OS and go back to following it", async () => {
    const os = fakeColorScheme(true);
    mockShell();
    const { byTestId } = await mountConsole();
    expect(byTestId("theme-toggle")).toBeTruthy();

    await choose(byTestId, "light");
    expectTheme("light");
    expect(localStorage.getItem(STORAGE_KEYS.theme)).toBe("light");
    os.setDark(true); // the OS changing does not undo an explicit choice
    await settle();
    expectTheme("light");

    await choose(byTestId, "dark");
    expectTheme("dark");
    os.setDark(false);
    await settle();
    expectTheme("dark");

    await choose(byTestId, "auto");
    expectTheme("light");
    expect(localStorage.getItem(STORAGE_KEYS.theme)).toBe("auto");
  });

  it("restores a stored override at start", async () => {
    localStorage.setItem(STORAGE_KEYS.theme, "dark");
    fakeColorScheme(false);
    mockShell();
    await mountConsole();
    expectTheme("dark");
  });
});
