//! The WeChat Open Platform third-party platform ("component") protocol, pure: an async API
//! client with typed answers and errcodes explained, the message crypto, push parsing and the
//! authorization links. No storage, no UI, no server: it is the SDK the WxOpen Console is built
//! on, and it stands alone.
//!
//! - [`client::ComponentClient`]: one async fn per endpoint (paths, bodies and field types as
//!   WeChat documents them), transport and API errors as [`error::WeChatError`];
//! - [`crypto::MsgCrypto`]: `msg_signature` and the AES-256-CBC envelope of pushes;
//! - [`push`]: push XML → [`push::PushEvent`], verified and decrypted by [`push::open_push`];
//! - [`links`]: the PC and mobile authorization links, and reading the redirect's auth code;
//! - [`errcode`]: every known errcode in plain words (zh-CN and en) with what to do.
//!
//! # Example: ticket → component token → pre-auth code → link; a push verified and decrypted
//!
//! ```
//! use wxopen_wechat::client::{ClientConfig, ComponentClient};
//! use wxopen_wechat::crypto::MsgCrypto;
//! use wxopen_wechat::links::{mobile_link, AuthLinkParams};
//! use wxopen_wechat::push::{open_push, PushEvent, PushQuery};
//!
//! # const APPID: &str = "wx5a4db0c0ffee0001";
//! # const SECRET: &str = "5b1e7ad0a3f94c2e8d6b0f4a9c3e2d17";
//! # const TOKEN: &str = "wxopensandbox";
//! # const AES_KEY: &str = "SandboxEncodingAesKey0123456789abcdefghijkl";
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let api_base = fake_wechat::serve().await?;
//! // The ticket WeChat pushes every 10 minutes (see below), then the platform's token.
//! let client = ComponentClient::new(ClientConfig {
//!     api_base, // https://api.weixin.qq.com by default
//!     ..ClientConfig::default()
//! })?;
//! let token = client.component_token(APPID, SECRET, "ticket@@@from-the-last-push").await?;
//! assert_eq!(token.expires_in, 7200); // cache it: every fetch kills the previous token
//!
//! // A single-use pre-auth code, and the link an account's admin opens in WeChat to authorize.
//! let code = client.create_preauthcode(&token.component_access_token, APPID).await?;
//! let link = mobile_link(&AuthLinkParams::new(APPID, &code.pre_auth_code, "https://platform.example/cb"));
//! assert!(link.starts_with("https://open.weixin.qq.com/wxaopen/safe/bindcomponent?"));
//! assert!(link.contains("pre_auth_code=preauthcode%40%40%401")); // URL-encoded
//!
//! // A push to the authorization-event URL: the body plus the URL's query, as received.
//! let crypto = MsgCrypto::new(TOKEN, AES_KEY, APPID)?;
//! # let sealed = crypto.seal_push(
//! #     &format!("<xml><AppId>{APPID}</AppId><CreateTime>1700000000</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@@@fresh</ComponentVerifyTicket></xml>"),
//! #     "1700000000",
//! #     "n0nce",
//! # );
//! # let (body, url) = (sealed.body.as_str(), format!("https://platform.example/wechat/auth-event?timestamp=1700000000&nonce=n0nce&msg_signature={}&encrypt_type=aes", sealed.msg_signature));
//! let query = PushQuery::from_url(&url)?;
//! match open_push(&crypto, body, &query)? {
//!     PushEvent::VerifyTicket { ticket, .. } => assert_eq!(ticket, "ticket@@@fresh"),
//!     other => panic!("not a ticket push: {other:?}"),
//! }
//! // A forged or altered body fails the signature check.
//! assert!(open_push(&crypto, &body.replace("<Encrypt>", "<Encrypt>x"), &query).is_err());
//! # Ok(())
//! # }
//! # mod fake_wechat {
//! #     //! Two canned answers on loopback, so the example runs without WeChat.
//! #     use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! #     pub async fn serve() -> std::io::Result<String> {
//! #         let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! #         let base = format!("http://{}", listener.local_addr()?);
//! #         tokio::spawn(async move {
//! #             while let Ok((mut conn, _)) = listener.accept().await {
//! #                 // The whole request (headers, then content-length bytes) before answering.
//! #                 let (mut buf, mut chunk) = (Vec::new(), [0u8; 4096]);
//! #                 loop {
//! #                     let n = conn.read(&mut chunk).await.unwrap_or(0);
//! #                     buf.extend_from_slice(&chunk[..n]);
//! #                     let text = String::from_utf8_lossy(&buf).to_lowercase();
//! #                     let Some(end) = text.find("\r\n\r\n") else { if n == 0 { break } else { continue } };
//! #                     let len = text.split("content-length:").nth(1)
//! #                         .and_then(|v| v.split("\r\n").next()?.trim().parse::<usize>().ok()).unwrap_or(0);
//! #                     if n == 0 || buf.len() >= end + 4 + len { break }
//! #                 }
//! #                 let request = String::from_utf8_lossy(&buf);
//! #                 let answer = if request.contains("api_component_token") {
//! #                     r#"{"component_access_token":"token@@@1","expires_in":7200}"#
//! #                 } else {
//! #                     r#"{"pre_auth_code":"preauthcode@@@1","expires_in":1800}"#
//! #                 };
//! #                 let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}", answer.len());
//! #                 let _ = conn.write_all(reply.as_bytes()).await;
//! #             }
//! #         });
//! #         Ok(base)
//! #     }
//! # }
//! ```

pub mod client;
pub mod crypto;
pub mod errcode;
pub mod error;
pub mod links;
pub mod models;
pub mod push;
