//! Team mode over `rediss://` (a TLS-only redis-server with a CA made in the test) and over a
//! three-node Redis Cluster (`redis-cli --cluster create`): borrowing works, a missing CA and a
//! dead node are clear errors, and no token is ever fetched by the console.

mod redis_support;

use redis_support::*;
use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_core::service::ConsoleOptions;
use wxopen_core::shared_store::{
    LayoutChoice, Preset, RedisSource, SharedSource, SharedStoreError,
};
use wxopen_sandbox::{Sandbox, SandboxConfig};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        authorizers: 8,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn rediss(url: &str, ca_file: Option<String>) -> SharedSource {
    SharedSource::Redis(RedisSource {
        url: url.to_owned(),
        layout: LayoutChoice::Preset {
            preset: Preset::Wxjava,
            prefix: None,
        },
        writes: false,
        ca_file,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_with_the_profiles_ca_borrows_and_without_it_is_a_clear_tls_error() {
    if let Err(why) = redis_has_tls() {
        println!("SKIPPED: {why}");
        return;
    }
    let pki = Pki::generate();
    let redis = Redis::start_tls(&pki);
    let sb = sandbox().await;
    let ctl = sb.control();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    let ticket = ctl.issue_ticket();
    let (token, expires_in) = backend.component_token(&ticket).await;
    wxjava_writes_component(&redis, &c, &ticket, &token, expires_in);
    assert!(redis.url().starts_with("rediss://"));

    let ca = pki.ca_cert.to_string_lossy().into_owned();
    let team = shared_console(ConsoleSpec::new(&sb, rediss(&redis.url(), Some(ca)))).await;
    assert_eq!(
        team.console
            .component_token(&team.rt)
            .await
            .unwrap()
            .token
            .expose(),
        &token
    );
    let (a, _) = backend.authorizers(&token, 1).await.remove(0);
    team.console.authorizer_fetch(&team.rt, &a).await.unwrap();

    // Without the CA the server's certificate is not trusted: said so, within the timeout.
    let started = std::time::Instant::now();
    let untrusted = shared_console(ConsoleSpec::new(&sb, rediss(&redis.url(), None))).await;
    let err = untrusted
        .console
        .component_token(&untrusted.rt)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "no answer: a hang"
    );
    let body = err.body();
    println!("no CA: {}", body.message);
    assert_eq!(body.code, ErrorCode::SharedStore, "{err}");
    assert!(body.message.contains(&redis.url()), "{}", body.message);
    let lower = body.message.to_lowercase();
    assert!(
        lower.contains("certificate") || lower.contains("tls") || lower.contains("issuer"),
        "not a TLS error: {}",
        body.message
    );
    assert!(body.hint.unwrap().contains("TLS"));
    assert!(!body.message.contains(&token));
    assert_eq!(ctl.call_count(TOKEN_PATH), 1, "the console fetched a token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_serves_keys_in_every_slot_and_a_dead_node_is_a_clear_error() {
    let mut cluster = Cluster::start();
    let sb = sandbox().await;
    let ctl = sb.control();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    let ticket = ctl.issue_ticket();
    let (token, expires_in) = backend.component_token(&ticket).await;
    let ct_key = wx::component_token(&c);
    cluster.cli(&["PSETEX", &wx::ticket(&c), wx::TICKET_PX, &ticket]);
    cluster.cli(&["SET", &ct_key, &token, "EX", &wx::token_ex(expires_in)]);
    // An account whose token key lives on another node than the component token's.
    let ct_node = cluster.owner_of(&ct_key);
    let mut elsewhere = None;
    for (a, refresh) in backend.authorizers(&token, 8).await {
        let (at, at_expires, _) = backend.authorizer_token(&token, &a, &refresh).await;
        let key = wx::authorizer_token(&c, &a);
        cluster.cli(&["SET", &key, &at, "EX", &wx::token_ex(at_expires)]);
        if cluster.owner_of(&key) != ct_node && elsewhere.is_none() {
            elsewhere = Some((a, at, key));
        }
    }
    let (a, at, at_key) = elsewhere.expect("8 accounts' keys all on one node of three");
    let fetches = (
        ctl.call_count(TOKEN_PATH),
        ctl.call_count(AUTHORIZER_TOKEN_PATH),
    );

    let mut spec = ConsoleSpec::new(&sb, rediss(&cluster.url(), None));
    spec.options = ConsoleOptions {
        shared_read_secs: 0,
        ..options()
    };
    let team = shared_console(spec).await;
    assert_eq!(
        team.console
            .component_token(&team.rt)
            .await
            .unwrap()
            .token
            .expose(),
        &token
    );
    assert_eq!(
        team.console
            .authorizer_token(&team.rt, &a)
            .await
            .unwrap()
            .token
            .expose(),
        &at
    );
    team.console.open_get(&team.rt, &a).await.unwrap();
    team.console.authorizer_fetch(&team.rt, &a).await.unwrap();

    let dead = cluster.owner_of(&at_key);
    cluster.nodes[dead].kill();
    let err = team
        .console
        .authorizer_token(&team.rt, &a)
        .await
        .unwrap_err();
    let body = err.body();
    println!("a dead node: {}", body.message);
    assert_eq!(body.code, ErrorCode::SharedStore, "{err}");
    // Unreachable, naming the cluster and the key (not "Redis answered an error": MOVED to a
    // dead node is no ACL or database problem).
    assert!(
        matches!(
            err,
            CoreError::Shared(
                SharedStoreError::Unreachable { .. } | SharedStoreError::Timeout { .. }
            )
        ),
        "{err}"
    );
    assert!(body.message.contains(&cluster.url()), "{}", body.message);
    assert!(body.hint.unwrap().contains("every node"));
    assert!(!body.message.contains(&at), "the token is in the message");
    assert!(matches!(err, CoreError::Shared(_)));
    assert_eq!(
        (
            ctl.call_count(TOKEN_PATH),
            ctl.call_count(AUTHORIZER_TOKEN_PATH)
        ),
        fetches,
        "the console fetched a token"
    );
    // The details call stored the account's refresh token; never the borrowed access token.
    let row = team
        .console
        .store()
        .authorizer_token_get(team.rt.id(), &a)
        .unwrap();
    assert!(row.and_then(|r| r.access_token).is_none());
}
