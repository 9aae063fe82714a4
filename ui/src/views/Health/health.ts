import type { HealthErrcode, HealthReport } from "../../api";
import { formatDuration, formatTime } from "../../utils/time";

type T = (key: string, named?: Record<string, unknown>) => string;

/** The ticket's row: its age and validity, or why it is missing. */
export function ticketText(t: T, r: HealthReport): string {
  const tk = r.ticket;
  if (!tk) return t("health.ticketError", { error: r.ticket_error ?? "?" });
  if (!tk.present) return t("health.ticketNone");
  const age = formatDuration(tk.age_secs ?? 0);
  if (!tk.valid) return t("health.ticketExpired", { age });
  return t("health.ticketAge", { age, source: tk.source ?? "?", left: formatDuration(tk.valid_for_secs ?? 0) });
}

/** The component token's row: its source and how long it lives. */
export function tokenText(t: T, r: HealthReport): string {
  const ct = r.component_token;
  const source = t(`health.source.${ct.token_source}`);
  if (ct.expires_in === null) return t("health.tokenNone", { source });
  if (ct.expires_in <= 0) return t("health.tokenExpired", { source });
  return t("health.tokenLeft", { source, left: formatDuration(ct.expires_in) });
}

/** `61023 · 3 次 · 刷新令牌无效 · api_authorizer_token, 2026-12-03 18:20:05`. */
export function errcodeText(t: T, e: HealthErrcode, locale: string): string {
  const what = locale.startsWith("zh") ? e.explanation.zh : e.explanation.en;
  const endpoint = e.last_endpoint.split("/").pop() ?? e.last_endpoint;
  return `${e.errcode} · ${t("health.errcodeCount", { count: e.count })} · ${what} · ${endpoint}, ${formatTime(e.last_at)}`;
}
