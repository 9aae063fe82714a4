"""The sandbox simulator driven by an independent SDK: wechatpy 2.x's WeChatComponent.

Starts `$WXOPEN_BIN sandbox serve --port 0 --json --authorizers 50` (default binary:
target/debug/wxopen), points wechatpy at it through `API_BASE_URL` (wechatpy builds every URL as
`API_BASE_URL + '/component/...'`), and checks the whole authorization flow plus ticket and
authorization pushes decrypted by wechatpy's own crypto.
"""

import http.server
import json
import os
import queue
import subprocess
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from wechatpy.component import WeChatComponent
from wechatpy.exceptions import WeChatClientException

ROOT = Path(__file__).resolve().parents[2]
WXOPEN_BIN = os.environ.get("WXOPEN_BIN", str(ROOT / "target" / "debug" / "wxopen"))

# The sandbox is on loopback: never go through a proxy from the environment.
HTTP = requests.Session()
HTTP.trust_env = False


@pytest.fixture(scope="module")
def sandbox():
    proc = subprocess.Popen(
        [WXOPEN_BIN, "sandbox", "serve", "--port", "0", "--json", "--authorizers", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line, "wxopen sandbox serve printed nothing"
        info = json.loads(line)
        assert info["base_url"].startswith("http://127.0.0.1:")
        assert len(info["control_token"]) == 32
        yield info
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def control(sandbox, method, path, body=None):
    # The control routes want the token the simulator printed, and POSTs as JSON.
    if body is None and method == "POST":
        body = {}
    headers = {"X-Sandbox-Token": sandbox["control_token"]}
    r = HTTP.request(method, sandbox["base_url"] + path, json=body, headers=headers, timeout=10)
    return r.status_code, r.json()


@pytest.fixture
def component(sandbox):
    c = WeChatComponent(
        sandbox["component_appid"],
        sandbox["appsecret"],
        sandbox["token"],
        sandbox["encoding_aes_key"],
    )
    c.API_BASE_URL = sandbox["base_url"] + "/cgi-bin"
    c._http.trust_env = False
    _, t = control(sandbox, "POST", "/sandbox/ticket")
    # wechatpy 2.x keys the ticket by the component appid (component.py: component_verify_ticket).
    c.session.set("%s_component_verify_ticket" % c.component_appid, t["ticket"])
    return c


@pytest.fixture
def receiver():
    """A tiny authorization-event URL: queues (query, body) and answers `success`."""
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


def authorize(sandbox, component, **extra):
    code = component.create_preauthcode()
    assert code["expires_in"] == 600
    status, out = control(
        sandbox,
        "POST",
        "/sandbox/authorize",
        dict({"pre_auth_code": code["pre_auth_code"], "redirect_uri": "https://example.com/cb?x=1"}, **extra),
    )
    assert status == 200, out
    return out


def test_authorization_flow(sandbox, component):
    token = component.fetch_access_token()
    assert token["expires_in"] == 7200
    assert "errcode" not in token

    out = authorize(sandbox, component, kind="official_account", auth_type=1)
    assert "auth_code=" in out["redirect_url"] and "x=1" in out["redirect_url"]
    result = component.query_auth(out["auth_code"])
    appid = result["authorization_info"]["authorizer_appid"]
    assert appid == out["authorizer_appid"]
    refresh = component.session.get(appid + "_refresh_token")
    assert refresh.startswith("refreshtoken@@@")
    assert component.session.get(appid + "_access_token")

    listed = component.get_authorizer_list(offset=0, count=100)
    assert listed["total_count"] == 51
    assert any(i["authorizer_appid"] == appid and i["refresh_token"] == refresh for i in listed["list"])
    page = component.get_authorizer_list(offset=10, count=5)
    assert [i["authorizer_appid"] for i in page["list"]] == [i["authorizer_appid"] for i in listed["list"][10:15]]

    info = component.get_authorizer_info(appid)
    assert info["authorization_info"]["authorizer_appid"] == appid
    assert info["authorizer_info"]["user_name"].startswith("gh_")
    assert "MiniProgramInfo" not in info["authorizer_info"]

    assert component.set_authorizer_option(appid, "voice_recognize", "1")["errcode"] == 0
    got = component.get_authorizer_option(appid, "voice_recognize")
    assert got == {"authorizer_appid": appid, "option_name": "voice_recognize", "option_value": "1"}
    _, opts = control(sandbox, "GET", "/sandbox/authorizers/%s/options" % appid)
    assert opts["voice_recognize"] == "1"

    refreshed = component.refresh_authorizer_token(appid, refresh)
    assert refreshed["authorizer_refresh_token"] == refresh
    assert refreshed["expires_in"] == 7200

    with pytest.raises(WeChatClientException) as e:
        component.get_authorizer_info("wx0123456789abcdef")
    assert e.value.errcode == 61003
    with pytest.raises(WeChatClientException) as e:
        component.refresh_authorizer_token(appid, "refreshtoken@@@stale")
    assert e.value.errcode == 61023
    with pytest.raises(WeChatClientException) as e:
        component.set_authorizer_option(appid, "location_report", "7")
    assert e.value.errcode == 61013
    # auth_type 2 refuses an official account
    code = component.create_preauthcode()["pre_auth_code"]
    status, err = control(sandbox, "POST", "/sandbox/authorize", {"pre_auth_code": code, "kind": "official_account", "auth_type": 2})
    assert status == 400 and err["errcode"] != 0


def test_expired_token_is_refetched_by_wechatpy(sandbox, component):
    component.fetch_access_token()
    before = control(sandbox, "GET", "/sandbox/stats")[1]["calls"].get("/cgi-bin/component/api_component_token", 0)
    # The token expires on the sandbox clock (wechatpy's own clock still trusts it): 42001, then
    # wechatpy's auto-retry fetches a new token with the (12 h) ticket and repeats the call.
    control(sandbox, "POST", "/sandbox/clock/advance", {"secs": 7201})
    assert component.get_authorizer_list(offset=0, count=1)["total_count"] >= 50
    after = control(sandbox, "GET", "/sandbox/stats")[1]["calls"]["/cgi-bin/component/api_component_token"]
    assert after == before + 1


def test_pushes_decrypt_with_wechatpy(sandbox, component, receiver):
    url, pushes = receiver
    status, _ = control(sandbox, "POST", "/sandbox/push_ticket", {"push_url": url})
    assert status == 200
    query, body = pushes.get(timeout=10)
    assert query["encrypt_type"] == "aes"
    msg = component.parse_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
    assert msg.type == "component_verify_ticket"
    assert component.component_verify_ticket == msg.verify_ticket
    assert component.fetch_access_token()["expires_in"] == 7200

    # authorized: wechatpy's parse_message exchanges the pushed code with api_query_auth itself.
    out = authorize(sandbox, component, kind="mini_program")
    query, body = pushes.get(timeout=10)
    msg = component.parse_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
    assert msg.type == "authorized"
    assert msg.authorizer_appid == out["authorizer_appid"]
    assert msg.query_auth_result["authorization_info"]["authorizer_appid"] == out["authorizer_appid"]
    info = component.get_authorizer_info(out["authorizer_appid"])
    assert "MiniProgramInfo" in info["authorizer_info"]


def test_control_routes_refuse_a_browser_style_post(sandbox):
    # What any web page can send cross-origin without a preflight: no token, text/plain.
    r = HTTP.post(
        sandbox["base_url"] + "/sandbox/push_ticket",
        data='{"push_url": "http://127.0.0.1:9/collect"}',
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert r.status_code == 403
    r = HTTP.post(
        sandbox["base_url"] + "/sandbox/push_ticket",
        data="{}",
        headers={"Content-Type": "text/plain", "X-Sandbox-Token": sandbox["control_token"]},
        timeout=10,
    )
    assert r.status_code == 415


def test_faults_reach_wechatpy(sandbox, component):
    component.fetch_access_token()
    control(sandbox, "POST", "/sandbox/faults", {"kind": "client_ip_not_registered", "client_ip": "198.51.100.9"})
    try:
        with pytest.raises(WeChatClientException) as e:
            component.create_preauthcode()
        assert e.value.errcode == 61004
        assert "198.51.100.9" in e.value.errmsg
    finally:
        control(sandbox, "DELETE", "/sandbox/faults")
    control(sandbox, "POST", "/sandbox/faults", {"kind": "http_status", "status": 500, "times": 1})
    with pytest.raises(WeChatClientException):
        component.create_preauthcode()
    assert component.create_preauthcode()["pre_auth_code"].startswith("preauthcode@@@")
