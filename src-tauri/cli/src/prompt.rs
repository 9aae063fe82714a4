//! What the operator types or pipes in. Secrets come from the environment or a no-echo prompt,
//! never from argv, so they stay out of shell history and `ps`.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};

use wxopen_core::error::{CoreError, CoreResult};

/// All of stdin; `what` names it in the error.
pub fn read_stdin(what: &str) -> CoreResult<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| CoreError::io(format!("read the {what} from stdin"), e))?;
    Ok(s)
}

/// A secret from `env`, else a prompt without echo on the terminal, else a line of stdin.
pub fn read_secret(env: &str, prompt: &str) -> CoreResult<Option<String>> {
    if let Ok(v) = std::env::var(env) {
        if !v.trim().is_empty() {
            return Ok(Some(v));
        }
    }
    if std::io::stdin().is_terminal() {
        return prompt_no_echo(prompt).map(Some);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CoreError::io("read a secret from stdin", e))?;
    let line = line.trim().to_string();
    Ok((!line.is_empty()).then_some(line))
}

/// Prompts on /dev/tty with echo turned off (`stty -echo` in a child process, which needs no
/// terminal API of our own).
fn prompt_no_echo(prompt: &str) -> CoreResult<String> {
    let tty = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
    };
    let stty = |arg: &str| {
        if let Ok(t) = tty() {
            let _ = std::process::Command::new("stty")
                .arg(arg)
                .stdin(t)
                .status();
        }
    };
    let mut t = tty().map_err(|e| CoreError::io("open /dev/tty for the secret prompt", e))?;
    let _ = write!(t, "{prompt}: ");
    let _ = t.flush();
    stty("-echo");
    let mut line = String::new();
    let r = BufReader::new(&t).read_line(&mut line);
    stty("echo");
    let _ = writeln!(t);
    r.map_err(|e| CoreError::io("read the secret", e))?;
    Ok(line.trim().to_string())
}
