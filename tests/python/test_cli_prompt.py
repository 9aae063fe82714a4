"""`wxopen ticket set` at a real terminal (a pty): the ticket is read without echo, and Ctrl-C at
the prompt gives the terminal its echo back before the process exits.

Uses `$WXOPEN_BIN` (default: target/debug/wxopen) and a data dir of its own; the profile row is
written straight into the SQLite file, so no keychain is needed.
"""

import os
import pty
import select
import signal
import sqlite3
import subprocess
import termios
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WXOPEN_BIN = os.environ.get("WXOPEN_BIN", str(ROOT / "target" / "debug" / "wxopen"))
# A guard against a hung child, not a timing assertion: every read below waits for output the
# child writes on its own.
HANG_GUARD_SECS = 60


@pytest.fixture()
def data_dir(tmp_path):
    if not os.path.exists(WXOPEN_BIN):
        pytest.skip(f"{WXOPEN_BIN} is not built")
    subprocess.run(
        [WXOPEN_BIN, "--data-dir", str(tmp_path), "profile", "list"],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    db = sqlite3.connect(tmp_path / "wxopen.sqlite3")
    db.executescript(
        "INSERT INTO profiles (id, name, component_appid, api_base, created_at, updated_at)"
        " VALUES (1, 'tty', 'wx00000000000000bb', 'http://127.0.0.1:9', 1, 1);"
        "INSERT INTO settings (key, value) VALUES ('selected_profile', '1');"
    )
    db.close()
    return tmp_path


def spawn_on_pty(args):
    """Runs WXOPEN_BIN ARGS with a new pty as its controlling terminal; returns (pid, master)."""
    pid, master = pty.fork()
    if pid == 0:
        os.execv(WXOPEN_BIN, [WXOPEN_BIN, *args])
    return pid, master


def read_until(master, marker):
    """Output of the child up to and including `marker` (bytes)."""
    seen = b""
    while marker not in seen:
        ready, _, _ = select.select([master], [], [], HANG_GUARD_SECS)
        assert ready, f"no {marker!r} from wxopen; got {seen!r}"
        try:
            chunk = os.read(master, 1024)
        except OSError:
            chunk = b""
        assert chunk, f"wxopen closed the terminal before {marker!r}; got {seen!r}"
        seen += chunk
    return seen


def echo_on(master):
    return bool(termios.tcgetattr(master)[3] & termios.ECHO)


def wait_exit(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_ctrl_c_at_the_ticket_prompt_restores_echo(data_dir):
    pid, master = spawn_on_pty(["--data-dir", str(data_dir), "ticket", "set"])
    try:
        assert echo_on(master)
        read_until(master, b"component_verify_ticket: ")
        # The prompt shows only once echo is off and Ctrl-C is watched for.
        assert not echo_on(master), "the ticket would be echoed"
        os.write(master, b"\x03")  # Ctrl-C, turned into SIGINT by the terminal
        code = wait_exit(pid)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    assert code == 130, f"exit code {code}"
    assert echo_on(master), "Ctrl-C at the prompt left the terminal without echo"
    os.close(master)
    db = sqlite3.connect(data_dir / "wxopen.sqlite3")
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_a_ticket_typed_at_the_prompt_is_stored_and_not_echoed(data_dir):
    pid, master = spawn_on_pty(["--data-dir", str(data_dir), "ticket", "set"])
    try:
        read_until(master, b"component_verify_ticket: ")
        os.write(master, b"ticket@@@typed\n")
        out = read_until(master, b"ticket stored")
        code = wait_exit(pid)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    assert code == 0
    assert b"ticket@@@typed" not in out, "the ticket was echoed"
    assert echo_on(master)
    os.close(master)
    db = sqlite3.connect(data_dir / "wxopen.sqlite3")
    assert db.execute("SELECT ticket FROM tickets").fetchone()[0] == "ticket@@@typed"
