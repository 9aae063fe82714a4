import { describe, expect, it } from "vitest";

// Layout rules read straight from the source text, so a new file cannot slip past them.
// Paths are relative to ui/ ("src/views/…", "tests/…").
const RAW = import.meta.glob<string>(["../src/**/*.{ts,vue}", "./**/*.ts", "!../src/bindings.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});
const SOURCES = new Map(Object.entries(RAW).map(([key, text]) => [key.replace(/^\.\.\//, "").replace(/^\.\//, "tests/"), text]));
const FILES = [...SOURCES.keys()];
const read = (file: string): string => SOURCES.get(file) ?? "";

// Module specifiers of static/dynamic imports, re-exports and vitest module mocks.
const SPECIFIER = /(?:\bfrom|\bimport|\bimport\s*\(|\bvi\.(?:mock|doMock|importActual|importMock)\s*\()\s*["']([^"']+)["']/g;

/** `spec` as imported from `file`, relative to ui/; null for packages. */
function target(file: string, spec: string): string | null {
  if (spec.startsWith("@/")) return `src/${spec.slice(2)}`;
  if (!spec.startsWith(".")) return null;
  return new URL(spec, `file:///ui/${file}`).pathname.replace(/^\/ui\//, "");
}

/** Files among `files` that reach bindings.ts by path instead of through src/api. */
function bindingsImporters(files: readonly string[], text = read): string[] {
  return files.filter((file) =>
    [...text(file).matchAll(SPECIFIER)].some(([, spec = ""]) => {
      const t = target(file, spec);
      return t === "src/bindings" || t === "src/bindings.ts";
    }),
  );
}

/** Files among `files` that create a Pinia store. */
function storeDefiners(files: readonly string[], text = read): string[] {
  return files.filter((file) => /\bdefineStore\s*[(<]/.test(text(file)));
}

describe("source layout", () => {
  it("finds the sources it checks", () => {
    expect(FILES.length).toBeGreaterThan(50);
    expect(FILES).toContain("src/views/Authorizers/AuthorizersView.vue");
    expect(FILES).toContain("tests/helpers.ts");
    // The detectors must see the cases that are allowed, or the rules below prove nothing.
    expect(bindingsImporters(FILES)).toContain("src/api/index.ts");
    expect(storeDefiners(FILES)).toContain("src/stores/app.ts");
  });

  it("only src/api imports bindings.ts; everything else imports from src/api", () => {
    expect(bindingsImporters(FILES.filter((f) => !f.startsWith("src/api/")))).toEqual([]);
  });

  it("every Pinia store lives in src/stores", () => {
    expect(storeDefiners(FILES.filter((f) => !f.startsWith("src/stores/")))).toEqual([]);
  });

  it("recognises every way of reaching bindings.ts", () => {
    const view = "src/views/X/X.vue";
    const b = "bindings"; // spelled apart so the rule does not flag this very file
    const cases: Record<string, boolean> = {
      [`import type { Sort } from "../../${b}";`]: true,
      [`import { commands } from '../../${b}.ts';`]: true,
      [`export * from "../../${b}";`]: true,
      [`const m = await import("../../${b}");`]: true,
      [`vi.mock("@/${b}");`]: true,
      [`import { commands, type Sort } from "../../api";`]: false,
      [`import { x } from "./${b}";`]: false,
    };
    for (const [text, hit] of Object.entries(cases)) {
      expect(bindingsImporters([view], () => text), text).toEqual(hit ? [view] : []);
    }
  });
});
