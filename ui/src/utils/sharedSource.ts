import type { SharedSource } from "../api";

/** The badge's words for a shared source: "Redis (wxjava)", "token API"; and whether read-only. */
export function sourceLabel(src: SharedSource): { kind: string; layout: string | null; readOnly: boolean } {
  if (src.kind === "http") return { kind: "http", layout: null, readOnly: true };
  const layout = src.layout.kind === "preset" ? src.layout.preset : "custom";
  return { kind: "redis", layout, readOnly: !src.writes };
}
