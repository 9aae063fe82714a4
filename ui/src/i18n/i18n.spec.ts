import { describe, expect, it } from "vitest";
// The raw files, as written: the imports in index.ts are precompiled by the unplugin.
import zhSource from "./locales/zh-CN.json?raw";
import enSource from "./locales/en.json?raw";
import zhAreas from "./locales/areas/authorizers.zh-CN.json?raw";
import enAreas from "./locales/areas/authorizers.en.json?raw";
import zhSetup from "./locales/areas/setup.zh-CN.json?raw";
import enSetup from "./locales/areas/setup.en.json?raw";
import zhLinks from "./locales/areas/links.zh-CN.json?raw";
import enLinks from "./locales/areas/links.en.json?raw";
import zhExport from "./locales/areas/export.zh-CN.json?raw";
import enExport from "./locales/areas/export.en.json?raw";
import { createConsoleI18n, messages, LOCALES } from "./index";

type Tree = { [key: string]: unknown };

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every leaf key path with its text, e.g. ["nav.authorizers", "授权方"]. */
function leaves(tree: Tree, prefix = ""): [string, unknown][] {
  return Object.entries(tree).flatMap(([key, value]) =>
    isTree(value) ? leaves(value, `${prefix}${key}.`) : [[`${prefix}${key}`, value] as [string, unknown]],
  );
}

const merge = (...raw: string[]): Tree => Object.assign({}, ...raw.map((r) => JSON.parse(r) as Tree));
const sources = {
  "zh-CN": merge(zhSource, zhAreas, zhSetup, zhLinks, zhExport),
  en: merge(enSource, enAreas, enSetup, enLinks, enExport),
};
const keysOf = (tree: Tree): string[] => leaves(tree).map(([k]) => k).sort();

describe("i18n", () => {
  it("zh-CN and en have exactly the same keys", () => {
    const zh = keysOf(sources["zh-CN"]);
    expect(zh.length).toBeGreaterThan(30);
    expect(keysOf(sources.en)).toEqual(zh);
  });

  it("every message is a non-empty string that renders", () => {
    const i18n = createConsoleI18n();
    for (const locale of LOCALES) {
      i18n.global.locale.value = locale;
      for (const [key, text] of leaves(sources[locale])) {
        expect(typeof text === "string" && text.trim() !== "", `${locale}:${key}`).toBe(true);
        const rendered = i18n.global.t(key, { backend: "x" });
        expect(rendered, `${locale}:${key}`).not.toBe(key);
        expect(rendered, `${locale}:${key}`).not.toMatch(/\{backend\}/);
      }
    }
  });

  it("messages are precompiled, so the runtime-only vue-i18n (no compiler, no eval) can render them", () => {
    // A raw string here would mean the unplugin did not run: the runtime build
    // cannot compile it, and the full build would need a compiler in the webview.
    expect(typeof messages["zh-CN"].about.keychainAvailable).not.toBe("string");
    const i18n = createConsoleI18n("en");
    expect(i18n.global.t("about.keychainAvailable", { backend: "keychain" })).toBe("Available (keychain)");
    i18n.global.locale.value = "zh-CN";
    expect(i18n.global.t("about.keychainAvailable", { backend: "keychain" })).toBe("可用（keychain）");
  });
});
