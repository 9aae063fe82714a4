//! `wxopen errcode N`: what a WeChat errcode means and what to do, in both languages.

use wxopen_wechat::errcode::{explain, Explanation};

/// Prints the explanation of one errcode; returns the process exit code (1 when the errcode is
/// not in the table — the generic explanation is still printed, so scripts get a document).
/// `errmsg` is the message WeChat sent with the code, when the operator has it: the client IP of
/// a 61004/40164 and the `rid` are read from it.
pub fn run(errcode: i64, errmsg: Option<&str>, json: bool) -> i32 {
    let explanation = explain(errcode, errmsg.unwrap_or(""));
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&explanation).expect("Explanation serializes")
        );
    } else {
        print!("{}", render(&explanation));
    }
    if explanation.known {
        0
    } else {
        eprintln!("wxopen errcode: {errcode} is not a known WeChat errcode");
        1
    }
}

/// The human form: kind, then the zh-CN and English text each with its hint.
pub fn render(e: &Explanation) -> String {
    let kind = serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let retry = if e.retryable {
        "retryable"
    } else {
        "not retryable"
    };
    let mut out = format!("errcode {}  [{kind}, {retry}]\n\n", e.errcode);
    out.push_str(&format!("中文  {}\n      建议：{}\n\n", e.zh, e.hint_zh));
    out.push_str(&format!("en    {}\n      Hint: {}\n", e.en, e.hint_en));
    if let Some(ip) = &e.client_ip {
        out.push_str(&format!("\nclient IP  {ip}\n"));
    }
    if let Some(rid) = &e.rid {
        out.push_str(&format!("rid        {rid}\n"));
    }
    out
}
