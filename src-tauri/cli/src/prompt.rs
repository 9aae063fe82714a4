//! What the operator types or pipes in. Secrets come from the environment, stdin or a no-echo
//! prompt, never from argv, so they stay out of shell history and `ps`. Buffers that held a
//! secret are zeroed when dropped ([`Zeroizing`]).

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};

use wxopen_core::error::{CoreError, CoreResult};
use zeroize::Zeroizing;

/// All of stdin; `what` names it in the error.
pub fn read_stdin(what: &str) -> CoreResult<Zeroizing<String>> {
    let mut s = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| CoreError::io(format!("read the {what} from stdin"), e))?;
    Ok(s)
}

/// A secret typed at a no-echo prompt when stdin is a terminal, else all of stdin (a pipe, a
/// file): what `ticket set` reads.
pub async fn read_piped_or_prompted(what: &str, prompt: &str) -> CoreResult<Zeroizing<String>> {
    if std::io::stdin().is_terminal() {
        prompt_no_echo(prompt).await
    } else {
        read_stdin(what)
    }
}

/// A secret from `env`, else a prompt without echo on the terminal, else a line of stdin.
pub async fn read_secret(env: &str, prompt: &str) -> CoreResult<Option<Zeroizing<String>>> {
    if let Ok(v) = std::env::var(env) {
        let v = Zeroizing::new(v);
        if !v.trim().is_empty() {
            return Ok(Some(v));
        }
    }
    let line = if std::io::stdin().is_terminal() {
        prompt_no_echo(prompt).await?
    } else {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| CoreError::io("read a secret from stdin", e))?;
        Zeroizing::new(line.trim().to_string())
    };
    Ok((!line.is_empty()).then_some(line))
}

/// An optional secret (team mode's Redis password, a token API header): `env` when it is set
/// (empty: none), else a no-echo prompt when stdin is a terminal, else `None`. Never a line of
/// stdin: a script that pipes something else in must not have it taken for a password.
/// `Some("")` means "none" (removes a stored one); `None` keeps what is stored. At a prompt an
/// empty answer means none for a new profile (`fresh`), and keeps the stored one otherwise.
pub async fn optional_secret(env: &str, prompt: &str, fresh: bool) -> CoreResult<Option<String>> {
    if let Ok(v) = std::env::var(env) {
        return Ok(Some(v.trim().to_owned()));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let line = prompt_no_echo(prompt).await?;
    Ok(match (line.is_empty(), fresh) {
        (false, _) => Some(line.as_str().to_owned()),
        (true, true) => Some(String::new()),
        (true, false) => None,
    })
}

/// Runs its action when dropped: on the normal path, on an early return, on a panic.
pub struct OnDrop<F: FnMut()>(Option<F>);

impl<F: FnMut()> OnDrop<F> {
    pub fn new(action: F) -> Self {
        OnDrop(Some(action))
    }
}

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        if let Some(mut action) = self.0.take() {
            action();
        }
    }
}

fn tty() -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
}

/// `stty ARG` on the terminal (in a child process, which needs no terminal API of our own).
fn stty(arg: &str) {
    if let Ok(t) = tty() {
        let _ = std::process::Command::new("stty")
            .arg(arg)
            .stdin(t)
            .status();
    }
}

/// Prompts on /dev/tty with echo turned off. Echo comes back however the prompt ends: a line,
/// an error, a panic (the guard), or Ctrl-C / SIGTERM (caught while the prompt is up: echo is
/// restored, then the process exits 130 as an interrupted shell command does). Without that, a
/// Ctrl-C at the prompt left the shell typing blind.
async fn prompt_no_echo(prompt: &str) -> CoreResult<Zeroizing<String>> {
    let mut t = tty().map_err(|e| CoreError::io("open /dev/tty for the secret prompt", e))?;
    let interrupted = interrupt_signals()?;
    // Echo goes off before the prompt shows: what is typed after it is never echoed.
    let echo = OnDrop::new(|| stty("echo"));
    stty("-echo");
    let _ = write!(t, "{prompt}: ");
    let _ = t.flush();
    let reader = t
        .try_clone()
        .map_err(|e| CoreError::io("open /dev/tty for the secret prompt", e))?;
    let read = tokio::task::spawn_blocking(move || {
        let mut line = Zeroizing::new(String::new());
        BufReader::new(reader).read_line(&mut line).map(|_| line)
    });
    let line = tokio::select! {
        r = read => r.map_err(|e| CoreError::Internal(format!("secret prompt: {e}")))?,
        _ = interrupted => {
            drop(echo);
            let _ = writeln!(t);
            std::process::exit(130);
        }
    };
    drop(echo);
    let _ = writeln!(t);
    let line = line.map_err(|e| CoreError::io("read the secret", e))?;
    Ok(Zeroizing::new(line.trim().to_string()))
}

/// Resolves on SIGINT or SIGTERM. The handlers are in place when this returns (not at the first
/// poll), so a Ctrl-C right after the prompt shows is caught too.
#[cfg(unix)]
fn interrupt_signals() -> CoreResult<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let io = |e| CoreError::io("watch for Ctrl-C at the secret prompt", e);
    let mut int = signal(SignalKind::interrupt()).map_err(io)?;
    let mut term = signal(SignalKind::terminate()).map_err(io)?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn interrupt_signals() -> CoreResult<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restore_guard_runs_on_a_panic_and_once() {
        let restored = std::cell::Cell::new(0);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _echo = OnDrop::new(|| restored.set(restored.get() + 1));
            panic!("interrupted at the prompt");
        }));
        assert!(r.is_err());
        assert_eq!(restored.get(), 1);
        {
            let _echo = OnDrop::new(|| restored.set(restored.get() + 1));
        }
        assert_eq!(restored.get(), 2);
    }
}
