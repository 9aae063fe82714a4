//! The error every command answers with: the core's stable `{code, message, hint, errcode}` plus,
//! for WeChat errcodes, the explanation in both languages (the UI picks the current one).

use serde::Serialize;
use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_wechat::errcode::Explanation;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
    pub hint: Option<String>,
    pub errcode: Option<i64>,
    // Boxed: keeps every `Result<_, CommandError>` small.
    pub explanation: Option<Box<Explanation>>,
}

impl From<CoreError> for CommandError {
    fn from(e: CoreError) -> Self {
        let body = e.body();
        let explanation = e.explanation().map(Box::new);
        CommandError {
            code: body.code,
            message: body.message,
            hint: body.hint,
            errcode: body.errcode,
            explanation,
        }
    }
}

impl CommandError {
    pub fn refused(message: impl Into<String>) -> Self {
        CoreError::Refused(message.into()).into()
    }
}

pub type CmdResult<T> = Result<T, CommandError>;
