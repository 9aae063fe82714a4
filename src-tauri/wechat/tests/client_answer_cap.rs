//! Answers are read as a stream and given up past `MAX_ANSWER_BYTES`, whatever their framing: a
//! wrong API base or a hostile proxy cannot make the client buffer an unbounded body.

mod client_support;

use client_support::{Behavior, Framing, MockServer};
use wxopen_wechat::client::{paths, ClientConfig, ComponentClient, MAX_ANSWER_BYTES};
use wxopen_wechat::error::{WeChatError, WeChatErrorKind};

async fn answer_of(len: usize, framing: Framing) -> Result<(), WeChatError> {
    let server = MockServer::start(move |_| Behavior::Big { len, framing }).await;
    let client = ComponentClient::new(ClientConfig::with_api_base(server.base_url())).unwrap();
    client.create_preauthcode("TOKEN", "wxc").await.map(|_| ())
}

#[tokio::test]
async fn an_answer_over_the_cap_is_a_typed_error_whatever_its_framing() {
    for framing in [
        Framing::ContentLength,
        Framing::Chunked,
        Framing::UntilClose,
    ] {
        let e = answer_of(MAX_ANSWER_BYTES + 1, framing).await.unwrap_err();
        match &e {
            WeChatError::AnswerTooLarge {
                endpoint,
                limit_bytes,
            } => {
                assert_eq!(endpoint, paths::API_CREATE_PREAUTHCODE, "{framing:?}");
                assert_eq!(*limit_bytes, MAX_ANSWER_BYTES as u64, "{framing:?}");
            }
            other => panic!("{framing:?}: {other:?}"),
        }
        assert_eq!(e.kind(), WeChatErrorKind::AnswerTooLarge);
        assert_eq!(e.kind().as_str(), "answer_too_large");
        assert!(e.is_transport() && !e.is_retryable(), "{e:?}");
        assert!(e.hint().unwrap().contains("API base URL"), "{e:?}");
        assert!(e.to_string().contains("MiB"), "{e}");
    }
}

#[tokio::test]
async fn an_answer_at_the_cap_is_read() {
    // Blank padding is not JSON: reaching the parser (InvalidJson) shows the body was read.
    for framing in [
        Framing::ContentLength,
        Framing::Chunked,
        Framing::UntilClose,
    ] {
        let e = answer_of(MAX_ANSWER_BYTES, framing).await.unwrap_err();
        assert!(
            matches!(e, WeChatError::InvalidJson { .. }),
            "{framing:?}: {e:?}"
        );
    }
}

#[tokio::test]
async fn an_error_status_with_a_huge_page_stays_an_http_status_error() {
    let page = "x".repeat(MAX_ANSWER_BYTES + 1);
    let server = MockServer::start(move |_| Behavior::status(502, &page)).await;
    let client = ComponentClient::new(ClientConfig::with_api_base(server.base_url())).unwrap();
    let e = client.create_preauthcode("TOKEN", "wxc").await.unwrap_err();
    assert!(
        matches!(e, WeChatError::HttpStatus { status: 502, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable());
}
