import type { CommandError, Explanation } from "../bindings";

/**
 * The one place that turns a failed command into text: `unwrap`/`CommandFailure` to throw it,
 * `errorView` for localized toasts and alerts, `describeError` for the one-line IPC alert.
 *
 * Across IPC the Rust side sends `{ code, message, hint, errcode?, explanation? }`; before the
 * shell exists (plain browser) `invoke` throws a TypeError; tests may reject with a bare string.
 * None of these may be dropped silently.
 */

/** The result shape every generated command returns (tauri-specta's `typedError`). */
export type CmdResult<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

/** A command's typed failure, thrown by {@link unwrap} so callers can use try/catch. */
export class CommandFailure extends Error {
  readonly body: CommandError;
  constructor(body: CommandError) {
    super(body.message);
    this.name = "CommandFailure";
    this.body = body;
  }
}

/** The value of a command, or a thrown {@link CommandFailure}. */
export async function unwrap<T>(call: Promise<CmdResult<T>>): Promise<T> {
  const r = await call;
  if (r.status === "ok") return r.data;
  throw new CommandFailure(r.error);
}

/** The CommandError inside whatever was thrown, if it is one. */
export function commandError(err: unknown): CommandError | null {
  if (err instanceof CommandFailure) return err.body;
  if (err !== null && typeof err === "object" && "code" in err && "message" in err) {
    return err as CommandError;
  }
  return null;
}

/** What an error toast/alert shows, in the current language. */
export interface ErrorView {
  /** One line: the errcode explanation when there is one, else the core's message. */
  title: string;
  /** What to do about it (explanation hint, else the core's hint), if known. */
  hint: string | null;
  errcode: number | null;
  /** The caller IP WeChat saw (61004 and friends): the one to add to the whitelist. */
  clientIp: string | null;
  /** The core's own message (English, with the endpoint and the raw errmsg). */
  detail: string;
  /** The stable error code (`shared_store`, `we_chat`…): the UI names some of them itself. */
  code: CommandError["code"] | null;
}

export function explanationText(x: Explanation, locale: string): { text: string; hint: string } {
  const zh = locale.startsWith("zh");
  return { text: zh ? x.zh : x.en, hint: zh ? x.hint_zh : x.hint_en };
}

export function errorView(err: unknown, locale: string): ErrorView {
  const body = commandError(err);
  if (!body) {
    const text = err instanceof Error ? err.message || err.name : String(err);
    return { title: text, hint: null, errcode: null, clientIp: null, detail: text, code: null };
  }
  if (body.explanation) {
    const { text, hint } = explanationText(body.explanation, locale);
    return {
      title: `${body.explanation.errcode} · ${text}`,
      hint: hint || body.hint,
      errcode: body.errcode,
      clientIp: body.explanation.client_ip,
      detail: body.message,
      code: body.code,
    };
  }
  return { title: body.message, hint: body.hint, errcode: body.errcode, clientIp: null, detail: body.message, code: body.code };
}

/** Loosely typed on purpose: the app-wide alert also gets partial shapes from outside the core. */
export interface IpcErrorShape {
  code?: unknown;
  message?: unknown;
  hint?: unknown;
  errcode?: unknown;
}

/** One line of text for the app-wide IPC alert (`[code] message (errcode N) — hint`). */
export function describeError(err: unknown): string {
  if (typeof err === "string") return err;
  if (err instanceof Error) return err.message || err.name;
  if (err !== null && typeof err === "object") {
    const { code, message, hint, errcode } = err as IpcErrorShape;
    const parts: string[] = [];
    if (typeof code === "string") parts.push(`[${code}]`);
    if (typeof message === "string") parts.push(message);
    if (typeof errcode === "number") parts.push(`(errcode ${errcode})`);
    if (typeof hint === "string" && hint) parts.push(`— ${hint}`);
    if (parts.length > 0) return parts.join(" ");
    try {
      return JSON.stringify(err);
    } catch {
      return String(err);
    }
  }
  return String(err);
}
