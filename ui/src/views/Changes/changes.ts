import type { ChangeCounts, ChangeKind, ChangeRow, Status } from "../../api";
import { permissionName } from "../AuthorizerDetail/permissions";
import { serviceTypeLabel, verifyLabel } from "../Authorizers/labels";
import { formatTime } from "../../utils/time";

type T = (key: string, named?: Record<string, unknown>) => string;

/** The kinds an operator filters by (the baseline line is a sync's, not an account's). */
export const CHANGE_KINDS: readonly Exclude<ChangeKind, "baseline">[] = [
  "authorized",
  "revoked",
  "reauthorized",
  "renamed",
  "permissions",
  "verify_type",
  "principal",
  "service_type",
];

/** A sync's non-zero counts, in CHANGE_KINDS order: what its entry in the list shows. */
export function countsShown(counts: ChangeCounts): { kind: ChangeKind; n: number }[] {
  return CHANGE_KINDS.map((kind) => ({ kind, n: counts[kind] })).filter((c) => c.n > 0);
}

export function kindTheme(kind: ChangeKind): "success" | "danger" | "warning" | "primary" | "default" {
  switch (kind) {
    case "authorized":
    case "reauthorized":
      return "success";
    case "revoked":
      return "danger";
    case "permissions":
      return "warning";
    case "baseline":
      return "default";
    default:
      return "primary";
  }
}

/** One side of a permission diff, by name (an id no official page names shows as `#N`). */
export function permissionNames(ids: readonly number[], locale: string): string[] {
  return ids.map((id) => permissionName(id, locale));
}

const num = (v: string | null): number | null => (v === null || v === "" ? null : Number(v));

function statusValue(t: T, v: string | null): string {
  if (v === null) return "—";
  const known: readonly string[] = ["authorized", "revoked", "needs_reauth"] satisfies Status[];
  return known.includes(v) ? t(`changes.statusValue.${v}`) : v;
}

/**
 * The "old → new" text of a change (permissions are shown as named tags instead, see
 * `permissionNames`); service types are named for the account's kind.
 */
export function describeChange(t: T, row: ChangeRow): string {
  const arrow = (a: string, b: string) => `${a} → ${b}`;
  switch (row.kind) {
    case "baseline":
      return t("changes.baseline", { n: row.new ?? "?" });
    case "authorized":
    case "revoked":
      return arrow(statusValue(t, row.old), statusValue(t, row.new));
    case "reauthorized":
      return row.field === "auth_time"
        ? t("changes.authTime", { old: formatTime(num(row.old)), new: formatTime(num(row.new)) })
        : arrow(statusValue(t, row.old), statusValue(t, row.new));
    case "verify_type":
      return arrow(verifyLabel(t, num(row.old)), verifyLabel(t, num(row.new)));
    case "service_type":
      return arrow(serviceTypeLabel(t, row.account_kind, num(row.old)), serviceTypeLabel(t, row.account_kind, num(row.new)));
    case "permissions":
      return "";
    default:
      return arrow(row.old ?? "—", row.new ?? "—");
  }
}
