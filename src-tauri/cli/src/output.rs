//! Output: text by default, or exactly one JSON document with `--json`. Errors go to stderr with
//! the hint and, for WeChat errors, the errcode explanation (zh-CN + en); with `--json` the error
//! document (`{code, message, hint, errcode, explanation}`) is also printed on stdout, so scripts
//! always get a document.

use serde::Serialize;
use serde_json::Value;

use crate::errcode;
use wxopen_core::error::{CoreError, CoreResult};

/// What a command produced: the JSON document and its text form.
pub struct Out {
    pub json: Value,
    pub text: String,
    /// The command ran and printed its report, but the report is a failure (`wxopen profile
    /// test` found a key missing): exit non-zero all the same, so scripts notice.
    pub failed: bool,
    /// `json` is an array printed as JSON lines, one compact element a line (a long listing a
    /// script reads as a stream), instead of one document.
    pub json_lines: bool,
    /// `--json` prints the document on one line: it ends a stream of JSON lines (`wxopen
    /// bulk` prints one per account before it).
    pub json_line: bool,
}

/// An [`Out`] from a serializable answer and its text form.
pub fn out<T: Serialize>(value: &T, text: impl Into<String>) -> CoreResult<Out> {
    Ok(Out {
        json: serde_json::to_value(value)
            .map_err(|e| CoreError::Internal(format!("cannot encode the answer: {e}")))?,
        text: text.into(),
        failed: false,
        json_lines: false,
        json_line: false,
    })
}

/// An [`Out`] printed as JSON lines with `--json`: one line per item (none for no items).
pub fn out_lines<T: Serialize>(items: &[T], text: impl Into<String>) -> CoreResult<Out> {
    Ok(Out {
        json_lines: true,
        ..out(&items, text)?
    })
}

/// Prints a command's result; returns the process exit code.
pub fn print(result: CoreResult<Out>, json: bool) -> i32 {
    match result {
        Ok(o) => {
            if json && o.json_lines {
                for item in o.json.as_array().into_iter().flatten() {
                    println!("{}", serde_json::to_string(item).unwrap_or_default());
                }
            } else if json && o.json_line {
                println!("{}", serde_json::to_string(&o.json).unwrap_or_default());
            } else if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&o.json).unwrap_or_default()
                );
            } else if !o.text.is_empty() {
                println!("{}", o.text.trim_end());
            }
            i32::from(o.failed)
        }
        Err(e) => {
            print_error(&e, json);
            1
        }
    }
}

fn print_error(e: &CoreError, json: bool) {
    let body = e.body();
    let explanation = e.explanation();
    eprintln!("wxopen: error: {}", body.message);
    if let Some(h) = &body.hint {
        eprintln!("hint: {h}");
    }
    if let Some(x) = &explanation {
        eprintln!();
        eprint!("{}", errcode::render(x));
    }
    if json {
        let mut doc = serde_json::to_value(&body).unwrap_or(Value::Null);
        if let (Some(x), Value::Object(m)) = (&explanation, &mut doc) {
            m.insert(
                "explanation".into(),
                serde_json::to_value(x).unwrap_or(Value::Null),
            );
        }
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
}
