import type { ExportColumn, ExportFormat } from "../../api";

/** Every column an export can hold, in the order the picker lists them. */
export const ALL_EXPORT_COLUMNS: readonly ExportColumn[] = [
  "appid",
  "nick_name",
  "principal_name",
  "kind",
  "service_type",
  "verify_type",
  "user_name",
  "alias",
  "status",
  "auth_time",
  "status_changed_at",
  "has_open",
  "has_refresh_token",
  "info_fetched_at",
  "func_ids",
  "details_error",
];

/** The core's default set (`ExportColumn::DEFAULT`), preselected. */
export const DEFAULT_EXPORT_COLUMNS: readonly ExportColumn[] = [
  "appid",
  "nick_name",
  "principal_name",
  "kind",
  "verify_type",
  "status",
  "auth_time",
  "func_ids",
  "has_refresh_token",
];

/** `path` with its `.csv`/`.xlsx` extension switched to `format` (added when it has neither). */
export function withExtension(path: string, format: ExportFormat): string {
  const trimmed = path.trim();
  if (trimmed === "") return path;
  const bare = trimmed.replace(/\.(csv|xlsx)$/i, "");
  return `${bare}.${format}`;
}
