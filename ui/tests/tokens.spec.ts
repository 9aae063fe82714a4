import { afterEach, describe, expect, it } from "vitest";
import { NotifyPlugin } from "tdesign-vue-next";
import type { CommandError, TicketStatus } from "../src/api";
import { useProfilesStore } from "../src/stores/profiles";
import { mockShell, mountConsole, settle } from "./helpers";

const now = () => Math.floor(Date.now() / 1000);

function ticket(receivedAgo: number, source: TicketStatus["source"] = "push"): TicketStatus {
  const received = now() - receivedAgo;
  return {
    present: true,
    received_at: received,
    source,
    age_secs: receivedAgo,
    valid_for_secs: Math.max(0, 43200 - receivedAgo),
    valid: receivedAgo < 43200,
    tail: "••••tick",
    shared_key: null,
  };
}

const NO_TICKET: CommandError = {
  code: "we_chat",
  message: "api_component_token: errcode 61005: component verify ticket is expired",
  hint: null,
  errcode: 61005,
  explanation: {
    errcode: 61005,
    known: true,
    kind: "ticket",
    zh: "component_verify_ticket 已过期",
    en: "The component_verify_ticket has expired",
    hint_zh: "等待微信推送新票据，或手动粘贴",
    hint_en: "Wait for a new ticket push, or paste one",
    retryable: false,
    client_ip: null,
    rid: null,
  },
};

function input(id: string): HTMLInputElement | HTMLTextAreaElement {
  const el = document.querySelector<HTMLInputElement>(`[data-testid="${id}"] input, [data-testid="${id}"] textarea`);
  if (!el) throw new Error(`no input in ${id}`);
  return el;
}

async function type(id: string, value: string): Promise<void> {
  const el = input(id);
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  await settle();
}

describe("ticket & tokens screen", () => {
  // Toasts live on <body> outside the app: drop them so each test reads its own.
  afterEach(() => NotifyPlugin.closeAll());

  it("shows the ticket with a live 12 h countdown, the token and the quota", async () => {
    mockShell(undefined, {
      ticket_status: () => ticket(3600),
      component_token_status: () => ({
        profile: "sandbox",
        token_source: "local",
        cached: true,
        fetched_at: now() - 600,
        // 30 s past 1h 50m: a loaded machine may take a few seconds to render, and the
        // countdown must still read 1h 5Xm.
        expires_at: now() + 6630,
        expires_in: 6630,
        tail: "••••tokn",
      }),
      quota_status: () => ({ resets_this_month: 3, resets_left: 7 }),
    });
    const { text, byTestId } = await mountConsole("/tokens");
    expect(text("ticket-tail")).toBe("••••tick");
    expect(text("ticket-source")).toBe("微信推送");
    expect(text("ticket-received")).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(byTestId("ticket-validity").dataset.valid).toBe("true");
    expect(text("ticket-validity")).toMatch(/^1[01]h \d{2}m \d{2}s$/);
    expect(text("ticket-state")).toBe("有效");

    expect(text("token-tail")).toBe("••••tokn");
    expect(text("token-expires")).toMatch(/^1h 5\dm \d{2}s$/);
    expect(text("token-cached")).toBe("已缓存");

    expect(text("quota-left")).toContain("7 / 10");
    expect(byTestId("quota-card").textContent).toContain("本月已重置 3 次");
  });

  it("shows an expired ticket and an empty token cache", async () => {
    mockShell(undefined, { ticket_status: () => ticket(50000, "pasted") });
    const { text, byTestId } = await mountConsole("/tokens");
    expect(byTestId("ticket-validity").dataset.valid).toBe("false");
    expect(text("ticket-validity")).toBe("已过期");
    expect(text("ticket-state")).toBe("已过期");
    expect(text("ticket-source")).toBe("手动粘贴");
    expect(text("token-tail")).toBe("—");
    expect(text("token-expires")).toBe("—");
    expect(text("token-cached")).toBe("未缓存");
  });

  it("shows 'no ticket yet' when none was received", async () => {
    mockShell(undefined, {
      ticket_status: () => ({ present: false, received_at: null, source: null, age_secs: null, valid_for_secs: null, valid: false, tail: null, shared_key: null }),
    });
    const { text, byTestId } = await mountConsole("/tokens");
    expect(text("ticket-state")).toBe("暂无票据");
    expect(text("ticket-tail")).toBe("—");
    expect(byTestId("ticket-validity").dataset.valid).toBe("false");
  });

  it("shows skeletons while loading", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    mockShell(undefined, {
      ticket_status: async () => {
        await gate;
        return ticket(10);
      },
    });
    const { byTestId, text } = await mountConsole("/tokens");
    expect(byTestId("ticket-loading")).toBeTruthy();
    release();
    await settle();
    expect(document.querySelector("[data-testid=ticket-loading]")).toBeNull();
    expect(text("ticket-tail")).toBe("••••tick");
  });

  it("explains a failed load in place and retries", async () => {
    let fail = true;
    const shell = mockShell(undefined, {
      component_token_status: () => {
        if (fail) throw NO_TICKET;
        return { profile: "sandbox", token_source: "local", cached: false, expires_at: null, fetched_at: null, expires_in: null, tail: null };
      },
    });
    const { text, byTestId } = await mountConsole("/tokens");
    expect(text("token-error")).toContain("61005 · component_verify_ticket 已过期");
    expect(text("token-error")).toContain("等待微信推送新票据");
    fail = false;
    byTestId("token-error").querySelector<HTMLElement>("[data-testid=command-error-retry]")!.click();
    await settle();
    expect(document.querySelector("[data-testid=token-error]")).toBeNull();
    expect(shell.count("component_token_status")).toBe(2);
  });

  it("saves a pasted ticket", async () => {
    const shell = mockShell(undefined, {
      ticket_status: () => ({ present: false, received_at: null, source: null, age_secs: null, valid_for_secs: null, valid: false, tail: null, shared_key: null }),
      ticket_set: () => ({ ...ticket(0, "pasted"), tail: "••••new1" }),
    });
    const { byTestId, text } = await mountConsole("/tokens");
    byTestId("ticket-save").click();
    await settle();
    expect(byTestId("ticket-card").textContent).toContain("请粘贴票据");
    expect(shell.count("ticket_set")).toBe(0);

    await type("ticket-input", "  ticket-value-new1 ");
    byTestId("ticket-save").click();
    await settle();
    expect(shell.args("ticket_set")).toEqual([{ ticket: "ticket-value-new1" }]);
    expect(text("ticket-tail")).toBe("••••new1");
    expect(text("ticket-source")).toBe("手动粘贴");
    expect(input("ticket-input").value).toBe("");
  });

  it("asks WeChat to push a ticket and says where it arrives", async () => {
    const shell = mockShell(undefined, { ticket_request_push: () => null });
    const { byTestId, text } = await mountConsole("/tokens");
    byTestId("ticket-request-push").click();
    await settle();
    expect(shell.count("ticket_request_push")).toBe(1);
    expect(text("ticket-push-requested")).toContain("10 分钟");
    expect(text("ticket-push-requested")).toContain("授权事件接收 URL");
  });

  it("applies an encrypted push given its URL, then reloads the ticket", async () => {
    let applied = false;
    const shell = mockShell(undefined, {
      ticket_status: () => (applied ? { ...ticket(0), tail: "••••push" } : ticket(5000)),
      push_apply: () => {
        applied = true;
        return { message_id: 7, info_type: "component_verify_ticket", authorizer_appid: null, status: "applied", error: null, created_at: 1700000000, age_secs: 200 };
      },
    });
    const { byTestId, text } = await mountConsole("/tokens");
    byTestId("push-apply").click();
    await settle();
    expect(byTestId("push-card").textContent).toContain("请粘贴 XML 正文");
    expect(byTestId("push-card").textContent).toContain("请填写回调 URL");
    expect(shell.count("push_apply")).toBe(0);

    await type("push-body", "<xml><Encrypt>abc</Encrypt></xml>");
    await type("push-url", "https://example.com/cb?timestamp=1&nonce=2&msg_signature=3");
    byTestId("push-apply").click();
    await settle();
    expect(shell.args("push_apply")).toEqual([
      {
        input: {
          body: "<xml><Encrypt>abc</Encrypt></xml>",
          url: "https://example.com/cb?timestamp=1&nonce=2&msg_signature=3",
          timestamp: null,
          nonce: null,
          msg_signature: null,
        },
      },
    ]);
    expect(byTestId("push-result").dataset.status).toBe("applied");
    expect(text("push-result")).toContain("component_verify_ticket");
    // How old the push is, from its CreateTime: a late paste shows its age.
    expect(text("push-result-age")).toContain("3m 20s前");
    expect(text("ticket-tail")).toBe("••••push");
  });

  it("applies a push given its three parameters and shows a failure's reason", async () => {
    const shell = mockShell(undefined, {
      push_apply: () => ({ message_id: 8, info_type: "authorized", authorizer_appid: "wx00000000000000aa", status: "failed", error: "api_query_auth failed", created_at: null, age_secs: null }),
    });
    const { byTestId, text } = await mountConsole("/tokens");
    await type("push-body", "<xml/>");
    await type("push-timestamp", "1700000000");
    await type("push-nonce", "n0nce");
    await type("push-signature", "sig");
    byTestId("push-apply").click();
    await settle();
    expect(shell.args("push_apply")[0]).toEqual({
      input: { body: "<xml/>", url: null, timestamp: "1700000000", nonce: "n0nce", msg_signature: "sig" },
    });
    expect(byTestId("push-result").dataset.status).toBe("failed");
    expect(text("push-result-error")).toBe("api_query_auth failed");
    expect(text("push-result")).toContain("wx00000000000000aa");
  });

  it("toasts a push the core refuses", async () => {
    mockShell(undefined, {
      push_apply: () => {
        throw { code: "crypto", message: "signature mismatch", hint: "check the message token", errcode: null, explanation: null };
      },
    });
    const { byTestId } = await mountConsole("/tokens");
    await type("push-body", "<xml/>");
    await type("push-url", "https://example.com/cb?timestamp=1&nonce=2&msg_signature=3");
    byTestId("push-apply").click();
    await settle();
    expect(byTestId("error-toast").textContent).toContain("signature mismatch");
    expect(document.querySelector("[data-testid=push-result]")).toBeNull();
  });

  it("refreshes the component token", async () => {
    const shell = mockShell(undefined, {
      component_token_refresh: () => ({
        profile: "sandbox",
        token_source: "local",
        cached: true,
        fetched_at: now(),
        expires_at: now() + 7200,
        expires_in: 7200,
        tail: "••••frsh",
      }),
    });
    const { byTestId, text } = await mountConsole("/tokens");
    byTestId("token-refresh").click();
    await settle();
    expect(shell.count("component_token_refresh")).toBe(1);
    expect(text("token-tail")).toBe("••••frsh");
    expect(byTestId("token-expires").dataset.valid).toBe("true");
  });

  it("toasts a failed refresh with the explanation", async () => {
    mockShell(undefined, {
      component_token_refresh: () => {
        throw NO_TICKET;
      },
    });
    const { byTestId } = await mountConsole("/tokens");
    byTestId("token-refresh").click();
    await settle();
    expect(byTestId("error-toast").textContent).toContain("component_verify_ticket 已过期");
    expect(byTestId("error-toast-hint").textContent).toContain("等待微信推送新票据");
  });

  it("clears the quota only after confirming it uses a monthly reset", async () => {
    const shell = mockShell(undefined, {
      quota_status: () => ({ resets_this_month: 2, resets_left: 8 }),
      quota_clear: () => ({ endpoint: "clear_quota/v2", resets_this_month: 3, resets_left: 7 }),
    });
    const { byTestId, text } = await mountConsole("/tokens");
    byTestId("quota-clear").click();
    await settle();
    expect(byTestId("confirm-dialog-body").textContent).toContain("10 次重置机会中的一次");
    expect(shell.count("quota_clear")).toBe(0);
    byTestId("quota-clear-confirm").click();
    await settle();
    expect(shell.count("quota_clear")).toBe(1);
    expect(text("quota-left")).toContain("7 / 10");
    expect(text("quota-cleared")).toContain("clear_quota/v2");
  });

  it("cannot clear the quota when no reset is left", async () => {
    mockShell(undefined, { quota_status: () => ({ resets_this_month: 10, resets_left: 0 }) });
    const { byTestId } = await mountConsole("/tokens");
    expect((byTestId("quota-clear") as HTMLButtonElement).disabled).toBe(true);
  });

  it("reloads every card when the profile changes", async () => {
    const shell = mockShell();
    await mountConsole("/tokens");
    expect(shell.count("ticket_status")).toBe(1);
    const store = useProfilesStore();
    await store.select("sandbox");
    await settle();
    expect(shell.count("ticket_status")).toBe(2);
    expect(shell.count("component_token_status")).toBe(2);
    expect(shell.count("quota_status")).toBe(2);
  });
});
