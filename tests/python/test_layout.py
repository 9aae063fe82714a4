"""The shape of the workspace (docs/ARCHITECTURE.md), checked: which crate may depend on what,
no import loops between files, no long production functions, no unsafe code of our own.

Run by `make python-test` (part of `make test`); `cargo` must be on PATH.
"""

import re
import subprocess
from pathlib import Path

import pytest

from rust_layout import Workspace, cycles, long_functions

ROOT = Path(__file__).resolve().parents[2]
CRATES = {
    "wxopen_wechat": ROOT / "src-tauri/wechat/src",
    "wxopen_sandbox": ROOT / "src-tauri/sandbox/src",
    "wxopen_core": ROOT / "src-tauri/core/src",
    "wxopen_cli": ROOT / "src-tauri/cli/src",
    "wxopen_console_lib": ROOT / "src-tauri/src",
}
MAX_FUNCTION_LINES = 120

# Where `unsafe` is allowed, and why: rusqlite has no safe API for these two SQLite calls.
UNSAFE_ALLOWED = {
    "src-tauri/core/src/store/db.rs": "sqlite3_db_status (page cache bytes) and walking a "
    "connection's statements for SQLITE_STMTSTATUS_REPREPARE: rusqlite exposes neither",
}


@pytest.fixture(scope="module")
def workspace():
    return Workspace(ROOT, CRATES)


def cargo_tree(package):
    """Every crate `package` depends on, dev and build dependencies included."""
    out = subprocess.run(
        ["cargo", "tree", "--locked", "-p", package, "--prefix", "none", "-e", "normal,build,dev"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def test_the_reader_sees_every_crate(workspace):
    files = {m.file for m in workspace.modules.values()}
    for name, src in CRATES.items():
        assert any(f.is_relative_to(src) for f in files), name
    assert len(files) > 60, len(files)


def test_the_checker_finds_a_loop(tmp_path):
    """The loop check is only worth something if it can fail."""
    src = tmp_path / "src"
    (src / "store").mkdir(parents=True)
    (src / "lib.rs").write_text("pub mod store;\n")
    (src / "store/mod.rs").write_text("mod a;\nmod b;\npub use a::A;\n")
    (src / "store/a.rs").write_text("use super::b::B;\npub struct A(B);\n")
    (src / "store/b.rs").write_text("pub struct B;\nfn f() -> super::A { todo!() }\n")
    graph = Workspace(tmp_path, {"demo": src}).edges()
    assert [sorted(p.name for p in c) for c in cycles(graph)] == [["a.rs", "b.rs"]]


def test_no_import_loop_between_files(workspace):
    loops = [[str(p.relative_to(ROOT)) for p in c] for c in cycles(workspace.edges())]
    assert loops == [], f"files that import each other (directly or around a loop): {loops}"


def test_no_long_production_function(workspace):
    long = [
        (str(m.file.relative_to(ROOT)), name, lines)
        for m in workspace.modules.values()
        for name, lines in long_functions(m.file, MAX_FUNCTION_LINES)
    ]
    assert long == [], f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_unsafe_only_where_a_dependency_forces_it():
    found = set()
    for path in (ROOT / "src-tauri").rglob("*.rs"):
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line.split("//")[0] for line in text.splitlines())
        if re.search(r"\bunsafe\s*(\{|fn\b|impl\b)", code):
            found.add(str(path.relative_to(ROOT)))
    assert found <= set(UNSAFE_ALLOWED), f"unsafe outside the allowed places: {found - set(UNSAFE_ALLOWED)}"


def test_the_app_does_not_build_the_cli_parser():
    assert "clap" not in cargo_tree("wxopen-console")


def test_the_protocol_crate_stands_alone():
    deps = cargo_tree("wxopen-wechat")
    for banned in ("rusqlite", "keyring", "axum", "tauri", "wxopen-core", "wxopen-sandbox"):
        assert banned not in deps, banned


def test_the_simulator_needs_only_the_protocol():
    deps = cargo_tree("wxopen-sandbox")
    for banned in ("rusqlite", "keyring", "tauri", "wxopen-core"):
        assert banned not in deps, banned
    assert "wxopen-wechat" in deps


def test_the_core_has_no_window():
    deps = cargo_tree("wxopen-core")
    for banned in ("tauri", "gtk", "webkit2gtk", "clap"):
        assert banned not in deps, banned
