import type { Kind, Status } from "../../api";

// WeChat's enumerations (reference §8) → message keys; the texts live in the area's locale files.
type T = (key: string, named?: Record<string, unknown>) => string;

export const KINDS: readonly Kind[] = ["official_account", "mini_program"];
export const STATUSES: readonly Status[] = ["authorized", "revoked", "needs_reauth"];
/** verify_type_info.id: -1 unverified, 0 WeChat, 1/2 Weibo, 3–5 qualification (name not yet). */
export const VERIFY_TYPES: readonly number[] = [-1, 0, 1, 2, 3, 4, 5];

const VERIFY_KEYS: Record<number, string> = {
  [-1]: "unverified",
  0: "wechat",
  1: "sina",
  2: "tencent",
  3: "qualification",
  4: "qualificationSina",
  5: "qualificationTencent",
};

export function kindLabel(t: T, kind: Kind | null): string {
  return t(`authorizers.kind.${kind ?? "unknown"}`);
}

export function statusLabel(t: T, status: Status): string {
  return t(`authorizers.status.${status}`);
}

export function statusTheme(status: Status): "success" | "danger" | "warning" {
  return status === "authorized" ? "success" : status === "revoked" ? "danger" : "warning";
}

export function verifyLabel(t: T, id: number | null): string {
  if (id === null) return t("authorizers.verify.unknown");
  const key = VERIFY_KEYS[id];
  return key ? t(`authorizers.verify.${key}`) : t("authorizers.verify.other", { id });
}

/** service_type_info.id means different things for official accounts and mini programs. */
export function serviceTypeLabel(t: T, kind: Kind | null, id: number | null): string {
  if (id === null) return t("authorizers.detail.none");
  const oa: Record<number, string> = { 0: "oaSubscription", 1: "oaUpgraded", 2: "oaService" };
  const mp: Record<number, string> = { 0: "mpNormal", 12: "mpTrial", 4: "mpGame", 10: "mpShop", 2: "mpStore", 3: "mpStore" };
  const key = (kind === "mini_program" ? mp : kind === "official_account" ? oa : {})[id];
  return key ? t(`authorizers.detail.serviceType.${key}`) : t("authorizers.detail.serviceType.other", { id });
}

export function accountStatusLabel(t: T, id: number | null): string {
  if (id === null) return t("authorizers.detail.none");
  const keys: Record<number, string> = { 1: "normal", 14: "cancelled", 16: "banned", 18: "warned", 19: "frozen" };
  const key = keys[id];
  return key ? t(`authorizers.detail.accountStatus.${key}`) : t("authorizers.detail.accountStatus.other", { id });
}

/** Lets other screens (auth completion, open binding…) tell the table to reload. */
export const AUTHORIZERS_CHANGED = "wxopen:authorizers-changed";

export function notifyAuthorizersChanged(): void {
  window.dispatchEvent(new Event(AUTHORIZERS_CHANGED));
}
