import { describe, expect, it } from "vitest";
import { mockShell, mountConsole, settle } from "./helpers";
import type { CommandError, MessagePage, MessageRow } from "../src/api";
import { useProfilesStore } from "../src/stores/profiles";

function row(id: number, over: Partial<MessageRow> = {}): MessageRow {
  return {
    id,
    profile_id: 1,
    received_at: 1_795_000_000 + id,
    info_type: "component_verify_ticket",
    authorizer_appid: null,
    status: "applied",
    decoded: JSON.stringify({ AppId: "wx5a4db0c0ffee0001", ComponentVerifyTicket: "••••tick", CreateTime: 1795000000 }),
    error: null,
    ...over,
  };
}

const PAGE: MessagePage = {
  total: 3,
  rows: [
    row(3, { info_type: "unauthorized", authorizer_appid: "wx00000000000000a1", status: "failed", decoded: "not json {", error: "authorizer unknown" }),
    row(2, { info_type: "authorized", authorizer_appid: "wx00000000000000a1" }),
    row(1),
  ],
};

const rows = (): HTMLElement[] => [...document.querySelectorAll<HTMLElement>("[data-testid='message-row']")];

describe("push messages", () => {
  it("lists the pushes newest first with their type and outcome", async () => {
    const shell = mockShell(undefined, { messages_list: () => PAGE });
    const { byTestId } = await mountConsole("/messages");
    expect(shell.args("messages_list")).toEqual([{ query: { info_type: null, status: null, limit: 20, offset: 0 } }]);
    expect(byTestId("messages-table")).toBeTruthy();
    expect(rows().map((r) => [r.dataset.infoType, r.dataset.status])).toEqual([
      ["unauthorized", "failed"],
      ["authorized", "applied"],
      ["component_verify_ticket", "applied"],
    ]);
    expect(rows()[0]!.textContent).toContain("wx00000000000000a1");
    expect(rows()[0]!.textContent).toContain("处理失败");
    expect(document.querySelector("[data-testid='messages-empty']")).toBeNull();
  });

  it("shows the decoded content pretty-printed when a row is opened, raw text when it is not JSON", async () => {
    mockShell(undefined, { messages_list: () => PAGE });
    await mountConsole("/messages");
    expect(document.querySelector("[data-testid='message-decoded']")).toBeNull();

    rows()[2]!.click();
    await settle();
    const decoded = document.querySelectorAll<HTMLElement>("[data-testid='message-decoded']");
    expect(decoded).toHaveLength(1);
    expect(decoded[0]!.textContent).toContain('"ComponentVerifyTicket": "••••tick"');
    expect(decoded[0]!.textContent).toContain("\n  ");

    // The keyboard way: the row's own button.
    rows()[0]!.querySelector("button")!.click();
    await settle();
    const all = [...document.querySelectorAll<HTMLElement>("[data-testid='message-decoded']")].map((e) => e.textContent);
    expect(all).toContain("not json {");
    expect(document.body.textContent).toContain("authorizer unknown");
  });

  it("says so when there are no messages", async () => {
    mockShell();
    const { text } = await mountConsole("/messages");
    expect(text("messages-empty")).toBe("还没有收到推送消息。");
    expect(rows()).toHaveLength(0);
  });

  it("shows the loading state while the list is read", async () => {
    let release: (p: MessagePage) => void = () => {};
    mockShell(undefined, { messages_list: () => new Promise<MessagePage>((r) => (release = r)) });
    const { byTestId } = await mountConsole("/messages");
    expect(byTestId("messages-table").querySelector(".t-loading")).not.toBeNull();
    expect(document.querySelector("[data-testid='messages-empty']")).toBeNull();
    expect(byTestId("messages-refresh").classList.contains("t-is-loading")).toBe(true);
    release(PAGE);
    await settle();
    expect(rows()).toHaveLength(3);
  });

  it("explains a failure to read the list", async () => {
    const failure: CommandError = { code: "storage", message: "database is locked", hint: "close the other instance", errcode: null, explanation: null };
    mockShell(undefined, {
      messages_list: () => {
        throw failure;
      },
    });
    const { byTestId } = await mountConsole("/messages");
    expect(byTestId("error-toast").textContent).toContain("database is locked");
    expect(byTestId("error-toast-hint").textContent).toBe("close the other instance");
    expect(byTestId("messages-error").textContent).toContain("database is locked");
    expect(document.querySelector("[data-testid='messages-empty']")).toBeNull();
  });

  it("refreshes, filters by status and type, and reloads on a profile switch", async () => {
    const shell = mockShell(undefined, { messages_list: () => PAGE });
    const { byTestId, wrapper } = await mountConsole("/messages");
    byTestId("messages-refresh").click();
    await settle();
    expect(shell.count("messages_list")).toBe(2);

    const filters = wrapper.findComponent({ name: "MessageFilters" });
    filters.vm.$emit("update:status", "failed");
    await settle();
    expect(shell.args("messages_list").at(-1)).toEqual({ query: { info_type: null, status: "failed", limit: 20, offset: 0 } });
    filters.vm.$emit("update:infoType", "notify_third_fasteregister");
    await settle();
    expect(shell.args("messages_list").at(-1)).toEqual({
      query: { info_type: "notify_third_fasteregister", status: "failed", limit: 20, offset: 0 },
    });
    expect(byTestId("messages-filter-type")).toBeTruthy();
    expect(byTestId("messages-filter-status")).toBeTruthy();

    const before = shell.count("messages_list");
    await useProfilesStore().changed();
    await settle();
    expect(shell.count("messages_list")).toBe(before + 1);
  });

  it("pages through a long list", async () => {
    const shell = mockShell(undefined, {
      messages_list: (args) => {
        const q = args.query as { limit: number; offset: number };
        return { total: 45, rows: Array.from({ length: Math.min(q.limit, 45 - q.offset) }, (_, i) => row(45 - q.offset - i)) };
      },
    });
    await mountConsole("/messages");
    expect(rows()).toHaveLength(20);
    const next = document.querySelector<HTMLElement>(".t-pagination__btn-next");
    next!.click();
    await settle();
    expect(shell.args("messages_list").at(-1)).toEqual({ query: { info_type: null, status: null, limit: 20, offset: 20 } });
    expect(rows()).toHaveLength(20);
  });
});
