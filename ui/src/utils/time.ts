import { onScopeDispose, ref, type Ref } from "vue";

/** Unix seconds as local date-time, e.g. `2026-11-27 18:20:05`. */
export function formatTime(unix: number | null | undefined): string {
  if (unix === null || unix === undefined || unix <= 0) return "—";
  const d = new Date(unix * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Seconds as `1h 02m 03s` / `2m 05s` / `9s` (negative values: `-` prefix). */
export function formatDuration(secs: number): string {
  const sign = secs < 0 ? "-" : "";
  let s = Math.abs(Math.trunc(secs));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const p = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${sign}${h}h ${p(m)}m ${p(s)}s`;
  if (m > 0) return `${sign}${m}m ${p(s)}s`;
  return `${sign}${s}s`;
}

/** Unix seconds now. */
export function nowSecs(): number {
  return Math.floor(Date.now() / 1000);
}

/** A ref of the current Unix second, ticking every second while the component lives. */
export function useNow(): Ref<number> {
  const now = ref(nowSecs());
  const timer = setInterval(() => {
    now.value = nowSecs();
  }, 1000);
  onScopeDispose(() => clearInterval(timer));
  return now;
}
