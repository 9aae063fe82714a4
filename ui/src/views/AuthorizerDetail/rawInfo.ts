/**
 * The parts of the stored `api_get_authorizer_info` answer the detail shows. WeChat's answers
 * vary by account kind and era (fields missing, numbers as strings, `null` lists), so every
 * field is read defensively and anything unexpected is simply left out.
 */
export interface MiniProgramCategory {
  first: string;
  second: string;
}

export interface ParsedInfo {
  serviceType: number | null;
  verifyType: number | null;
  accountStatus: number | null;
  signature: string;
  registerType: number | null;
  /** `open_store`, `open_pay`, … → 0/1. */
  business: [string, number][];
  phoneConfigured: boolean | null;
  emailConfigured: boolean | null;
  /** Present only for mini programs. */
  miniProgram: { domains: [string, string[]][]; categories: MiniProgramCategory[] } | null;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

function bool(v: unknown): boolean | null {
  if (typeof v === "boolean") return v;
  const n = num(v);
  return n === null ? null : n !== 0;
}

function strings(v: unknown): string[] {
  if (typeof v === "string") return v ? [v] : [];
  return Array.isArray(v) ? v.map(str).filter((s) => s !== "") : [];
}

/** `{id: n}` or a bare number. */
function typeId(v: unknown): number | null {
  return isObj(v) ? num(v.id) : num(v);
}

/** Documented network keys first, in the order the WeChat console lists them; then the rest. */
const DOMAIN_ORDER = [
  "RequestDomain",
  "WsRequestDomain",
  "UploadDomain",
  "DownloadDomain",
  "UDPDomain",
  "TCPDomain",
  "BizDomain",
  "PrefetchDNSDomain",
];

function parseMiniProgram(v: unknown): ParsedInfo["miniProgram"] {
  if (!isObj(v)) return null;
  const network = isObj(v.network) ? v.network : {};
  const keys = Object.keys(network).sort((a, b) => {
    const ia = DOMAIN_ORDER.indexOf(a);
    const ib = DOMAIN_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const domains = keys.map((k) => [k, strings(network[k])] as [string, string[]]);
  const categories = (Array.isArray(v.categories) ? v.categories : [])
    .filter(isObj)
    .map((c) => ({ first: str(c.first), second: str(c.second) }))
    .filter((c) => c.first !== "" || c.second !== "");
  return { domains, categories };
}

/** The stored raw answer: either the whole reply or just its `authorizer_info`. */
export function parseRawInfo(raw: string | null | undefined): ParsedInfo | null {
  if (!raw) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObj(parsed)) return null;
  const info = isObj(parsed.authorizer_info) ? parsed.authorizer_info : parsed;
  const business = isObj(info.business_info)
    ? Object.entries(info.business_info)
        .map(([k, v]) => [k, num(v)] as [string, number | null])
        .filter((e): e is [string, number] => e[1] !== null)
    : [];
  const basic = isObj(info.basic_config) ? info.basic_config : {};
  return {
    serviceType: typeId(info.service_type_info),
    verifyType: typeId(info.verify_type_info),
    accountStatus: num(info.account_status),
    signature: str(info.signature),
    registerType: num(info.register_type),
    business,
    phoneConfigured: bool(basic.is_phone_configured),
    emailConfigured: bool(basic.is_email_configured),
    miniProgram: parseMiniProgram(info.MiniProgramInfo),
  };
}
