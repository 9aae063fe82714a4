import { convertFileSrc } from "@tauri-apps/api/core";

/**
 * Where the window may load an avatar or QR code from. Its CSP allows no `http:` image host:
 * WeChat answers `http://wx.qlogo.cn/…` and `http://mmbiz.qpic.cn/…`, which are shown over https;
 * the simulator's `http://127.0.0.1:PORT/sandbox/img/…` go through the shell's `wxsandbox:`
 * protocol, which only fetches from the running simulator.
 */
export const SIMULATOR_PROTOCOL = "wxsandbox";

const HTTPS_HOSTS = new Set(["wx.qlogo.cn", "mmbiz.qpic.cn"]);
const SIMULATOR_IMAGE = /^http:\/\/127\.0\.0\.1:(\d{1,5})(\/sandbox\/img\/[^?#]+)$/;

/** The URL to put in `<img src>`, or null when there is none the window may load. */
export function imageUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const sim = SIMULATOR_IMAGE.exec(url);
  if (sim) {
    const base = protocolBase();
    return base === null ? null : `${base}${sim[1]}${sim[2]}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol === "http:" && HTTPS_HOSTS.has(parsed.hostname)) {
    parsed.protocol = "https:";
    return parsed.toString();
  }
  return parsed.protocol === "https:" ? url : null;
}

/** `wxsandbox://localhost/` (or `http://wxsandbox.localhost/` where the webview needs that form). */
function protocolBase(): string | null {
  try {
    const base = convertFileSrc("", SIMULATOR_PROTOCOL);
    return base.endsWith("/") ? base : `${base}/`;
  } catch {
    // No shell (plain browser): nothing can serve the simulator's images.
    return null;
  }
}
