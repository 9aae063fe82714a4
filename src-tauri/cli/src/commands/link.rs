//! `wxopen link create`

use serde_json::Value;

use crate::args::LinkCommand;
use crate::context::Globals;
use crate::output::Out;
use crate::time::fmt_time;
use wxopen_core::error::CoreResult;
use wxopen_core::service::links::LinkRequest;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: LinkCommand) -> CoreResult<Out> {
    let LinkCommand::Create {
        redirect_uri,
        auth_type,
        biz_appid,
        qr,
    } = cmd;
    let rt = g.active_profile(console).await?;
    let link = console
        .link_create(
            &rt,
            LinkRequest {
                redirect_uri,
                auth_type,
                biz_appid,
            },
        )
        .await?;
    let mut text = format!(
        "PC link (put it on a page of the platform's authorization domain; opening it directly fails):\n{}\n\nMobile link (open in WeChat):\n{}\n\nexpires {} (single use)\n",
        link.pc_link,
        link.mobile_link,
        fmt_time(Some(link.expires_at))
    );
    if qr {
        text.push('\n');
        text.push_str(&wxopen_core::service::qr::terminal(&link.mobile_link)?);
    }
    let mut doc = serde_json::to_value(&link).unwrap_or(Value::Null);
    // The SVG is only worth its size in the document when asked for.
    if !qr {
        if let Value::Object(m) = &mut doc {
            m.remove("mobile_qr_svg");
        }
    }
    Ok(Out {
        json: doc,
        text,
        failed: false,
        json_lines: false,
        json_line: false,
    })
}
