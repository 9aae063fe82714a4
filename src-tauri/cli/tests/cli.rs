//! The `wxopen` binary, run as a process.

use std::process::Command;

fn wxopen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wxopen"))
}

#[test]
fn version_prints_the_crate_version() {
    let out = wxopen().arg("--version").output().expect("run wxopen");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!("wxopen {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_the_commands() {
    let out = wxopen().arg("--help").output().expect("run wxopen");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Usage: wxopen"), "{stdout}");
    assert!(stdout.contains("info"), "{stdout}");
    assert!(stdout.contains("--data-dir"), "{stdout}");
}

#[test]
fn info_json_reports_the_data_dir_it_was_given() {
    let dir = tempfile::tempdir().unwrap();
    let out = wxopen()
        .args(["--json", "--data-dir"])
        .arg(dir.path())
        .arg("info")
        .output()
        .expect("run wxopen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["data_dir"], dir.path().display().to_string());
    assert!(v["keychain"]["available"].is_boolean());
}

/// `wxopen … | head`: a reader that goes away must not make wxopen panic.
#[test]
fn a_closed_stdout_pipe_exits_quietly() {
    // The read end is closed before wxopen starts, so its first write gets EPIPE.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = wxopen()
        .args(["errcode", "61004"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run wxopen");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(out.status.success(), "{:?} {stderr}", out.status);
}
