import { describe, expect, it } from "vitest";
import { clearMocks, mockConvertFileSrc } from "@tauri-apps/api/mocks";
import { imageUrl } from "../src/api";

describe("image URLs the window may load (CSP without http: hosts)", () => {
  it("shows WeChat's CDN avatars and QR codes over https", () => {
    expect(imageUrl("http://wx.qlogo.cn/mmopen/abc/0")).toBe("https://wx.qlogo.cn/mmopen/abc/0");
    expect(imageUrl("http://mmbiz.qpic.cn/mmbiz_jpg/xyz/0?wx_fmt=jpeg")).toBe(
      "https://mmbiz.qpic.cn/mmbiz_jpg/xyz/0?wx_fmt=jpeg",
    );
    expect(imageUrl("https://wx.qlogo.cn/mmopen/abc/0")).toBe("https://wx.qlogo.cn/mmopen/abc/0");
  });

  it("sends the simulator's images through the shell's protocol, port kept", () => {
    expect(imageUrl("http://127.0.0.1:43117/sandbox/img/head/wx0123456789abcdef.svg")).toBe(
      "wxsandbox://localhost/43117/sandbox/img/head/wx0123456789abcdef.svg",
    );
    mockConvertFileSrc("windows");
    expect(imageUrl("http://127.0.0.1:43117/sandbox/img/qrcode/wx1.svg")).toBe(
      "http://wxsandbox.localhost/43117/sandbox/img/qrcode/wx1.svg",
    );
  });

  it("drops what the CSP would block anyway", () => {
    expect(imageUrl("http://example.com/a.png")).toBeNull();
    expect(imageUrl("http://127.0.0.1:43117/cgi-bin/x")).toBeNull();
    expect(imageUrl("javascript:alert(1)")).toBeNull();
    expect(imageUrl("")).toBeNull();
    expect(imageUrl(null)).toBeNull();
    clearMocks();
    // Without the shell nothing serves the simulator's images.
    expect(imageUrl("http://127.0.0.1:43117/sandbox/img/head/wx1.svg")).toBeNull();
  });
});
