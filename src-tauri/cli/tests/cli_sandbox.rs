//! `wxopen sandbox serve`: the simulator in a process of its own, as scripts and benchmarks use it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[tokio::test]
async fn cli_serve_prints_its_base_url_as_json() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxopen"))
        .args([
            "sandbox",
            "serve",
            "--port",
            "0",
            "--json",
            "--authorizers",
            "10",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let base = info["base_url"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(info["encoding_aes_key"].as_str().unwrap().len(), 43);
    let http = client();
    // The control routes want the token it printed, and JSON.
    let token = info["control_token"].as_str().unwrap();
    assert_eq!(token.len(), 32, "{info}");
    let refused = http
        .post(format!("{base}/sandbox/ticket"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let ticket: Value = http
        .post(format!("{base}/sandbox/ticket"))
        .header("X-Sandbox-Token", token)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let v: Value = http
        .post(format!("{base}/cgi-bin/component/api_component_token"))
        .body(
            json!({
                "component_appid": info["component_appid"],
                "component_appsecret": info["appsecret"],
                "component_verify_ticket": ticket["ticket"],
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["expires_in"], json!(7200));
    let token = v["component_access_token"].as_str().unwrap();
    let list: Value = http
        .post(format!(
            "{base}/cgi-bin/component/api_get_authorizer_list?component_access_token={token}"
        ))
        .body(
            json!({"component_appid": info["component_appid"], "offset": 0, "count": 100})
                .to_string(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total_count"], json!(10));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `--redirect-domain` replaces the registered authorization-redirect domains.
#[tokio::test]
async fn cli_serve_redirects_only_to_the_given_domain() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxopen"))
        .args([
            "sandbox",
            "serve",
            "--port",
            "0",
            "--json",
            "--authorizers",
            "5",
        ])
        .args(["--redirect-domain", "platform.example.org"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let base = info["base_url"].as_str().unwrap();
    let appid = info["component_appid"].as_str().unwrap();
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |url: String, body: Value| {
        let req = http
            .post(url)
            .header("X-Sandbox-Token", info["control_token"].as_str().unwrap())
            .json(&body);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let ticket = post(format!("{base}/sandbox/ticket"), json!({})).await;
    let token = post(
        format!("{base}/cgi-bin/component/api_component_token"),
        json!({"component_appid": appid, "component_appsecret": info["appsecret"],
            "component_verify_ticket": ticket["ticket"]}),
    )
    .await;
    let ct = token["component_access_token"].as_str().unwrap();
    for (redirect, status) in [
        ("https://auth.platform.example.org/cb", 302),
        ("https://example.com/cb", 400),
    ] {
        let code = post(
            format!("{base}/cgi-bin/component/api_create_preauthcode?component_access_token={ct}"),
            json!({"component_appid": appid}),
        )
        .await;
        let mut link = url::Url::parse(&format!("{base}/cgi-bin/componentloginpage")).unwrap();
        link.query_pairs_mut()
            .append_pair("component_appid", appid)
            .append_pair("pre_auth_code", code["pre_auth_code"].as_str().unwrap())
            .append_pair("redirect_uri", redirect);
        let r = http.get(link).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{redirect}");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
