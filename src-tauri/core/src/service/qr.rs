//! QR codes of the mobile authorization link: SVG for the UI, Unicode blocks for a terminal.
//! (The PC link only works when clicked from the platform's own domain: it gets no QR code.)

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

use crate::error::{CoreError, CoreResult};

fn code(text: &str) -> CoreResult<QrCode> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| CoreError::InvalidInput(format!("cannot make a QR code of this link: {e}")))
}

/// A standalone `<svg>` document (black on white, with the quiet zone), at least 240 px wide.
pub fn svg(text: &str) -> CoreResult<String> {
    Ok(code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// Half-height Unicode blocks (two modules per character), dark on light, for a terminal.
pub fn terminal(text: &str) -> CoreResult<String> {
    Ok(code(text)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_both_forms() {
        let link = "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=wx5a4db0c0ffee0001&pre_auth_code=preauthcode%40%40%40abc#wechat_redirect";
        let s = super::svg(link).unwrap();
        assert!(s.contains("<svg") && s.contains("</svg>"));
        let t = super::terminal(link).unwrap();
        assert!(t.lines().count() > 10);
    }
}
