import { describe, expect, it, vi } from "vitest";
import type { Channel } from "@tauri-apps/api/core";
import type { AuthorizerQuery, ExportOutcome, ExportProgress, ExportRequest } from "../src/api";
import { withExtension } from "../src/views/Authorizers/exportColumns";
import { mockShell, mountConsole, settle, type Handler } from "./helpers";
import { COUNTS, failure, rows } from "./authorizers.fixtures";

vi.setConfig({ testTimeout: 20_000 });

const $ = <T extends HTMLElement = HTMLElement>(sel: string): T | null => document.querySelector<T>(sel);
const testid = (id: string): HTMLElement | null => $(`[data-testid="${id}"]`);

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A search answers `total` rows for any query (a few shown). */
function pages(total: number): Handler {
  return (args) => {
    const q = args.query as AuthorizerQuery;
    return { total, rows: rows(q.offset ?? 0, Math.min(3, total)) };
  };
}

async function typeSearch(value: string): Promise<void> {
  const input = $<HTMLInputElement>("[data-testid=authorizers-search] input")!;
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
  await vi.waitFor(() => expect(testid("authorizers-total")!.dataset.total).toBe("42"));
}

function setPath(value: string): void {
  const input = $<HTMLInputElement>("[data-testid=export-path] input")!;
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

const pathValue = (): string => $<HTMLInputElement>("[data-testid=export-path] input")!.value;

function outcome(req: ExportRequest, rowsDone: number): ExportOutcome {
  return { path: req.path, format: req.format, columns: req.columns, rows: rowsDone, bytes: 1234, elapsed_ms: 10 };
}

describe("export", () => {
  it("exports the filtered table (every page) with the chosen columns and format, showing progress", async () => {
    let channel: Channel<ExportProgress> | null = null;
    const done = deferred<ExportOutcome>();
    let total = 120;
    const shell = mockShell(undefined, {
      authorizers_search: (args) => pages(total)(args),
      authorizers_counts: () => COUNTS,
      authorizers_export_path: (args) => `/home/op/Downloads/authorizers-20261203-164400.${String(args.format)}`,
      authorizers_export: (args) => {
        channel = args.onProgress as Channel<ExportProgress>;
        return done.promise;
      },
    });
    await mountConsole("/authorizers");
    total = 42;
    await typeSearch("Coffee");
    testid("export-button")!.click();
    await settle();
    const dialog = testid("export-dialog")!;
    expect(dialog.dataset.total).toBe("42");
    expect(document.body.textContent).toContain("导出 42 个账号");
    expect(pathValue()).toBe("/home/op/Downloads/authorizers-20261203-164400.csv");

    // XLSX: the extension follows; one more column, one less.
    testid("export-format-xlsx")!.click();
    await settle();
    expect(pathValue()).toBe("/home/op/Downloads/authorizers-20261203-164400.xlsx");
    testid("export-col-alias")!.querySelector<HTMLInputElement>("input")!.click();
    await settle();
    testid("export-col-func_ids")!.querySelector<HTMLInputElement>("input")!.click();
    await settle();
    setPath("/tmp/out/coffee.xlsx");
    await settle();
    testid("export-start")!.click();
    await settle();

    const req = shell.args("authorizers_export")[0]!.request as ExportRequest;
    expect(req.format).toBe("xlsx");
    expect(req.path).toBe("/tmp/out/coffee.xlsx");
    expect(req.query).toMatchObject({ query: "Coffee", offset: 0, sort: "nick_name", desc: false });
    expect(req.columns).toContain("alias");
    expect(req.columns).not.toContain("func_ids");
    expect(req.columns[0]).toBe("appid");

    channel!.onmessage({ done: 20, total: 42 });
    await settle();
    const bar = testid("export-progress")!;
    expect(bar.dataset.done).toBe("20");
    expect(bar.dataset.total).toBe("42");
    expect(testid("export-cancel")).not.toBeNull();

    done.resolve(outcome(req, 42));
    await settle();
    await vi.waitFor(() => expect(testid("export-done")).not.toBeNull());
    expect(testid("export-done")!.dataset.path).toBe("/tmp/out/coffee.xlsx");
    expect(testid("export-done")!.textContent).toContain("已导出 42 行");
    expect(testid("export-dialog")).toBeNull();
  });

  it("cancels a running export without an error, and shows a failure as an error toast", async () => {
    let pending = deferred<ExportOutcome>();
    const shell = mockShell(undefined, {
      authorizers_search: pages(42),
      authorizers_export_path: () => "/home/op/Downloads/a.csv",
      authorizers_export: () => pending.promise,
      authorizers_export_cancel: () => {
        pending.reject({ code: "cancelled", message: "cancelled", hint: null, errcode: null, explanation: null });
        return true;
      },
    });
    await mountConsole("/authorizers");
    testid("export-button")!.click();
    await settle();
    testid("export-start")!.click();
    await settle();
    testid("export-cancel")!.click();
    await settle();
    expect(shell.count("authorizers_export_cancel")).toBe(1);
    await vi.waitFor(() => expect(testid("export-progress")).toBeNull());
    expect(testid("export-dialog")).not.toBeNull();
    expect(document.querySelectorAll("[data-testid=error-toast]")).toHaveLength(0);
    expect(document.body.textContent).toContain("已取消导出");

    pending = deferred<ExportOutcome>();
    testid("export-start")!.click();
    await settle();
    pending.reject({ ...failure(), code: "invalid_input", message: "the folder /nope does not exist", errcode: null, explanation: null });
    await settle();
    await vi.waitFor(() => expect(document.querySelectorAll("[data-testid=error-toast]").length).toBeGreaterThan(0));
    expect(testid("export-dialog")).not.toBeNull();
  });

  it("the export button waits for rows", async () => {
    mockShell(undefined, { authorizers_search: pages(0) });
    await mountConsole("/authorizers");
    expect(testid("export-button")!.hasAttribute("disabled")).toBe(true);
  });

  it("switches a path's extension to the format", () => {
    expect(withExtension("/a/b/list.csv", "xlsx")).toBe("/a/b/list.xlsx");
    expect(withExtension("/a/b/list.XLSX", "csv")).toBe("/a/b/list.csv");
    expect(withExtension("/a/b/list", "csv")).toBe("/a/b/list.csv");
    expect(withExtension("", "csv")).toBe("");
  });
});
