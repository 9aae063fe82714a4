import type { KeyLayout, ProfileView, SharedInput, SharedSource, TokensEdit, ValueFormat } from "../../api";

/**
 * The profile form's *Tokens* section as plain data: what the inputs hold, and the
 * `SharedSource` / `SharedInput` the core gets from it. The core checks it again (and computes
 * the keys: `shared_keys`); nothing here decides where a token comes from.
 */
export type PresetChoice = "wxjava" | "wechatpy" | "silenceper" | "custom";
export type ValueKind = ValueFormat["kind"];

export interface TokensForm {
  mode: "local" | "shared";
  kind: "redis" | "http";
  url: string;
  preset: PresetChoice;
  prefix: string;
  ticket: string;
  componentToken: string;
  authorizerToken: string;
  authorizerRefreshToken: string;
  valueKind: ValueKind;
  tokenField: string;
  expiresAtField: string;
  ttlMargin: number;
  writes: boolean;
  caFile: string;
  /** Write-only: typed here, sent once, never read back. */
  password: string;
  replacingPassword: boolean;
  componentUrl: string;
  authorizerUrl: string;
  headerName: string;
  headerValue: string;
  replacingHeader: boolean;
  tokenPointer: string;
  expiresInPointer: string;
  expiresAtPointer: string;
}

export const PRESETS: PresetChoice[] = ["wxjava", "wechatpy", "silenceper", "custom"];

export function initialTokensForm(p: ProfileView | null): TokensForm {
  const src = p?.shared_source ?? null;
  const redis = src?.kind === "redis" ? src : null;
  const http = src?.kind === "http" ? src : null;
  const custom = redis?.layout.kind === "custom" ? redis.layout.layout : null;
  const value = custom?.value ?? { kind: "raw" };
  return {
    mode: src ? "shared" : "local",
    kind: http ? "http" : "redis",
    url: redis?.url ?? "",
    preset: redis ? (redis.layout.kind === "preset" ? redis.layout.preset : "custom") : "wxjava",
    prefix: redis?.layout.kind === "preset" ? (redis.layout.prefix ?? "") : "",
    ticket: custom?.ticket ?? "",
    componentToken: custom?.component_token ?? "",
    authorizerToken: custom?.authorizer_token ?? "",
    authorizerRefreshToken: custom?.authorizer_refresh_token ?? "",
    valueKind: value.kind,
    tokenField: value.kind === "json_object" ? value.token_field : "",
    expiresAtField: value.kind === "json_object" ? (value.expires_at_field ?? "") : "",
    ttlMargin: custom?.component_ttl_margin_secs ?? 0,
    writes: redis?.writes ?? false,
    caFile: redis?.ca_file ?? "",
    password: "",
    replacingPassword: !redis,
    componentUrl: http?.component_token_url ?? "",
    authorizerUrl: http?.authorizer_token_url ?? "",
    headerName: http?.header_name ?? "",
    headerValue: "",
    replacingHeader: !http,
    tokenPointer: http?.token_pointer ?? "/component_access_token",
    expiresInPointer: http?.expires_in_pointer ?? "/expires_in",
    expiresAtPointer: http?.expires_at_pointer ?? "",
  };
}

const orNull = (s: string): string | null => (s.trim() === "" ? null : s.trim());

function valueFormat(f: TokensForm): ValueFormat {
  if (f.valueKind === "json_object") {
    return { kind: "json_object", token_field: f.tokenField.trim(), expires_at_field: orNull(f.expiresAtField) };
  }
  return { kind: f.valueKind };
}

function customLayout(f: TokensForm): KeyLayout {
  const margin = Math.max(0, Math.trunc(Number(f.ttlMargin) || 0));
  return {
    ticket: orNull(f.ticket),
    component_token: orNull(f.componentToken),
    authorizer_token: orNull(f.authorizerToken),
    authorizer_refresh_token: orNull(f.authorizerRefreshToken),
    value: valueFormat(f),
    component_ttl_margin_secs: margin,
    authorizer_ttl_margin_secs: margin,
    component_lock: null,
    authorizer_lock: null,
  };
}

/** The source these inputs describe (what goes to SQLite: no secret in it). */
export function sharedSource(f: TokensForm): SharedSource {
  if (f.kind === "http") {
    return {
      kind: "http",
      component_token_url: f.componentUrl.trim(),
      authorizer_token_url: orNull(f.authorizerUrl),
      header_name: orNull(f.headerName),
      token_pointer: f.tokenPointer.trim(),
      expires_in_pointer: orNull(f.expiresInPointer),
      expires_at_pointer: orNull(f.expiresAtPointer),
    };
  }
  return {
    kind: "redis",
    url: f.url.trim(),
    layout:
      f.preset === "custom"
        ? { kind: "custom", layout: customLayout(f) }
        : { kind: "preset", preset: f.preset, prefix: orNull(f.prefix) },
    writes: f.writes,
    ca_file: orNull(f.caFile),
  };
}

/** The source plus the secrets typed in this form (`null`: keep the stored one). */
export function sharedInput(f: TokensForm): SharedInput {
  const secret = (value: string, replacing: boolean): string | null => (replacing && value !== "" ? value : null);
  return {
    source: sharedSource(f),
    redis_password: f.kind === "redis" ? secret(f.password, f.replacingPassword) : null,
    header_value: f.kind === "http" ? secret(f.headerValue, f.replacingHeader) : null,
  };
}

/** What an edit changes about the tokens; `null`: nothing. */
export function tokensEdit(f: TokensForm, p: ProfileView): TokensEdit | null {
  if (f.mode === "local") return p.shared_source ? { mode: "local" } : null;
  const input = sharedInput(f);
  const same = JSON.stringify(input.source) === JSON.stringify(p.shared_source ?? null);
  if (same && input.redis_password === null && input.header_value === null) return null;
  return { mode: "shared", ...input };
}
