/**
 * Turns whatever an IPC call rejected with into one line of text for a t-alert.
 *
 * Across IPC the Rust side sends `{ code, message, hint, errcode? }`; before the
 * shell exists (plain browser) `invoke` throws a TypeError; tests may reject
 * with a bare string. None of these may be dropped silently.
 */
export interface IpcErrorShape {
  code?: unknown;
  message?: unknown;
  hint?: unknown;
  errcode?: unknown;
}

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
