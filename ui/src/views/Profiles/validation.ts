/**
 * The profile form's checks, mirroring the core's (`service/validate.rs`, `ClientConfig::validate`)
 * so mistakes show next to the field before a round trip. The core still has the last word.
 * Each returns null when the value is fine, else the i18n key (and params) of the problem.
 */
export type Problem = { key: string; params?: Record<string, unknown> } | null;

const P = "setup.profiles.validation.";

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function checkName(value: string): Problem {
  const v = value.trim();
  return v === "" || [...v].length > 64 || CONTROL.test(v) ? { key: `${P}name` } : null;
}

export function checkAppid(value: string): Problem {
  return /^wx[0-9a-fA-F]{16}$/.test(value.trim()) ? null : { key: `${P}appid` };
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value.trim());
  } catch {
    return null;
  }
}

export function checkApiBase(value: string): Problem {
  const url = parseUrl(value);
  const ok =
    url !== null &&
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.hostname !== "" &&
    url.username === "" &&
    url.password === "" &&
    url.search === "" &&
    url.hash === "" &&
    // `new URL` drops an empty "?" or "#"; the core refuses those too.
    !/[?#]/.test(value);
  return ok ? null : { key: `${P}apiBase` };
}

/** Optional: blank means a direct connection. */
export function checkProxy(value: string): Problem {
  if (value.trim() === "") return null;
  const url = parseUrl(value);
  const ok = url !== null && ["http:", "https:", "socks5:", "socks5h:"].includes(url.protocol) && url.hostname !== "";
  return ok ? null : { key: `${P}proxy` };
}

/** A secret being typed (appsecret, message token): blank only means "not given" when optional. */
export function checkSecret(value: string, optional: boolean): Problem {
  const v = value.trim();
  if (v === "") return optional && value === "" ? null : { key: `${P}secretBlank` };
  return CONTROL.test(v) ? { key: `${P}secretControl` } : null;
}

export function checkAesKey(value: string, optional: boolean): Problem {
  const v = value.trim();
  if (v === "" && optional && value === "") return null;
  const count = [...v].length;
  if (count !== 43) return { key: `${P}aesKeyLength`, params: { count } };
  return /^[A-Za-z0-9+/]{43}$/.test(v) ? null : { key: `${P}aesKeyChars` };
}
