"""Team mode against a real backend SDK: wechatpy 2.x's WeChatComponent with RedisStorage is the
platform's backend, our CLI a console borrowing from it.

wechatpy receives the simulator's ticket push and fetches the component token from the simulator,
keeping both in a redis-server of this test's own; then `wxopen` on a `wechatpy`-layout shared
profile syncs the authorizers. The simulator's `/sandbox/calls` must show every call of ours
carrying wechatpy's token, and no token fetch but wechatpy's own.

The key wechatpy writes is checked against our preset (`KeyLayout::preset(Preset::Wechatpy)`,
src-tauri/core/src/shared_store/layout.rs): `{prefix}:{component_appid}_component_access_token`,
values `json.dumps`ed (wechatpy/session/redisstorage.py `key_name`, `set`).
"""

import http.server
import json
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import redis
import requests
from wechatpy.component import WeChatComponent
from wechatpy.session.redisstorage import RedisStorage

ROOT = Path(__file__).resolve().parents[2]
WXOPEN_BIN = os.environ.get("WXOPEN_BIN", str(ROOT / "target" / "debug" / "wxopen"))

TOKEN_PATH = "/cgi-bin/component/api_component_token"
AUTHORIZER_TOKEN_PATH = "/cgi-bin/component/api_authorizer_token"
LIST_PATH = "/cgi-bin/component/api_get_authorizer_list"
INFO_PATH = "/cgi-bin/component/api_get_authorizer_info"
AUTHORIZERS = 30

HTTP = requests.Session()
HTTP.trust_env = False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_port():
    """A redis-server of this test's own: free loopback port, temp dir, no persistence."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (scripts/bootstrap.sh installs it)")
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", d],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:  # ready once it answers PING (bounded)
                try:
                    if redis.Redis(port=port, socket_timeout=1).ping():
                        break
                except redis.ConnectionError:
                    assert time.monotonic() < deadline, "redis-server did not start"
                    assert proc.poll() is None, "redis-server exited"
            yield port
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture
def sandbox():
    proc = subprocess.Popen(
        [WXOPEN_BIN, "sandbox", "serve", "--port", "0", "--json", "--authorizers", str(AUTHORIZERS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line, "wxopen sandbox serve printed nothing"
        yield json.loads(line)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def receiver():
    """The platform's authorization-event URL: queues (query, body), answers `success`."""
    pushes = queue.Queue()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            pushes.put((query, body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"success")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d/wechat/auth-event" % server.server_address[1], pushes
    server.shutdown()


def control(sandbox, method, path, body=None):
    headers = {"X-Sandbox-Token": sandbox["control_token"]}
    r = HTTP.request(method, sandbox["base_url"] + path, json=body, headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def calls(sandbox, path):
    return control(sandbox, "GET", "/sandbox/calls?path=" + path)


def wxopen(data_dir, *args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WXOPEN_")}
    env["WXOPEN_KEYCHAIN_SERVICE"] = "wxopen-py-interop-%d" % os.getpid()
    env.update(env_extra or {})
    return subprocess.run(
        [WXOPEN_BIN, "--data-dir", str(data_dir), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def wxopen_ok(data_dir, *args, env_extra=None):
    out = wxopen(data_dir, "--json", *args, env_extra=env_extra)
    assert out.returncode == 0, "wxopen %s: %s%s" % (args, out.stdout, out.stderr)
    return json.loads(out.stdout)


def test_wechatpy_backend_and_our_cli_share_one_token(redis_port, sandbox, receiver, tmp_path):
    appid = sandbox["component_appid"]
    r = redis.Redis(port=redis_port)
    component = WeChatComponent(
        appid,
        sandbox["appsecret"],
        sandbox["token"],
        sandbox["encoding_aes_key"],
        session=RedisStorage(r),
    )
    component.API_BASE_URL = sandbox["base_url"] + "/cgi-bin"
    component._http.trust_env = False

    # The ticket push reaches wechatpy, which keeps the ticket in Redis.
    url, pushes = receiver
    control(sandbox, "POST", "/sandbox/push_ticket", {"push_url": url})
    query, body = pushes.get(timeout=10)
    msg = component.parse_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
    assert msg.type == "component_verify_ticket"
    assert json.loads(r.get("wechatpy:%s_component_verify_ticket" % appid)) == msg.verify_ticket

    # wechatpy fetches the component token from the simulator: our preset's key, JSON-encoded,
    # TTL expires_in (no margin).
    token = component.fetch_access_token()["component_access_token"]
    key = "wechatpy:%s_component_access_token" % appid
    assert r.get(key) == json.dumps(token).encode()
    assert 7190 <= r.ttl(key) <= 7200
    assert calls(sandbox, TOKEN_PATH)["calls"] == 1

    # Our CLI on a wechatpy-layout shared profile (flags from the CLI's team-mode branch).
    help_text = wxopen(tmp_path, "profile", "add", "--help").stdout
    if "--token-source" not in help_text:
        pytest.skip("wxopen profile add has no --token-source yet: the wechatpy half ran, the CLI half needs the team-mode CLI flags")
    wxopen_ok(
        tmp_path,
        "profile", "add", "--name", "team", "--appid", appid, "--api-base", sandbox["base_url"],
        "--token-source", "redis", "--redis-url", "redis://127.0.0.1:%d/0" % redis_port,
        "--redis-layout", "wechatpy",
        env_extra={
            "WXOPEN_APPSECRET": sandbox["appsecret"],
            "WXOPEN_TOKEN": sandbox["token"],
            "WXOPEN_AES_KEY": sandbox["encoding_aes_key"],
        },
    )
    wxopen_ok(tmp_path, "--profile", "team", "authorizers", "sync", "--details")

    # Every call of ours carried wechatpy's token; the only token fetch was wechatpy's.
    assert calls(sandbox, TOKEN_PATH)["calls"] == 1
    assert calls(sandbox, AUTHORIZER_TOKEN_PATH)["calls"] == 0
    for path in (LIST_PATH, INFO_PATH):
        seen = calls(sandbox, path)
        assert seen["calls"] > 0, path
        assert seen["tokens"] == {token: seen["calls"]}, path
        assert seen["without_token"] == 0, path
    assert calls(sandbox, INFO_PATH)["calls"] == AUTHORIZERS
    # wechatpy's token is still the live one (we killed nothing): wechatpy's own call works.
    assert component.get_authorizer_list(offset=0, count=1)["total_count"] == AUTHORIZERS
    assert calls(sandbox, TOKEN_PATH)["calls"] == 1
