//! `wxopen errcode N`.

/// Prints the explanation of one errcode; returns the process exit code.
pub fn run(errcode: i64, json: bool) -> i32 {
    let _ = (errcode, json);
    eprintln!("wxopen errcode: not implemented yet");
    2
}
