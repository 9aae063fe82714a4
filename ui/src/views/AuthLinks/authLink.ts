/** auth_type values documented for the authorization page (7 is not defined by WeChat). */
export const AUTH_TYPES = [1, 2, 3, 4, 5, 6, 8] as const;
export const DEFAULT_AUTH_TYPE = 3;

/** `wx` + 16 hex digits, as the core checks it. */
export function isAppid(value: string): boolean {
  return /^wx[0-9a-f]{16}$/i.test(value.trim());
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return (url.protocol === "http:" || url.protocol === "https:") && url.host !== "";
  } catch {
    return false;
  }
}
