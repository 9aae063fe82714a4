//! A tiny scripted HTTP/1.1 server for the client tests: it records every request (method,
//! target with query, headers, body) and answers as the test's script says — a canned status
//! and body, a dropped connection, or no answer at all (to trigger the client's timeout).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    /// Request target: `/path?query`, or the absolute URL when sent to a proxy.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Captured {
    pub fn path(&self) -> &str {
        let t = self.target.as_str();
        let t = match t.find("://") {
            Some(i) => &t[i + 3..],
            None => t,
        };
        let t = match (t.starts_with('/'), t.find('/')) {
            (false, Some(i)) => &t[i..],
            _ => t,
        };
        t.split('?').next().unwrap_or("")
    }

    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// Query pairs, percent-decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let url = url::Url::parse(&format!("http://x/?{}", self.query().unwrap_or(""))).unwrap();
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

#[derive(Debug, Clone)]
pub enum Behavior {
    Respond {
        status: u16,
        content_type: &'static str,
        body: String,
    },
    /// An HTTP redirect to `location`.
    Redirect { status: u16, location: String },
    /// Close the connection without answering.
    Drop,
    /// Keep the connection open and never answer (until the server is dropped).
    Hang,
    /// HTTP 200 with `len` bytes of JSON-looking padding, framed as `framing` says.
    Big { len: usize, framing: Framing },
}

/// How a [`Behavior::Big`] body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// An honest `Content-Length`.
    ContentLength,
    /// `Transfer-Encoding: chunked`, no length announced.
    Chunked,
    /// No length at all: the body ends when the server closes the connection.
    UntilClose,
}

impl Behavior {
    pub fn json(body: serde_json::Value) -> Self {
        Behavior::Respond {
            status: 200,
            content_type: "application/json",
            body: body.to_string(),
        }
    }
    pub fn status(status: u16, body: &str) -> Self {
        Behavior::Respond {
            status,
            content_type: "text/plain",
            body: body.to_string(),
        }
    }
    pub fn raw(body: &str) -> Self {
        Behavior::Respond {
            status: 200,
            content_type: "application/json",
            body: body.to_string(),
        }
    }
}

type Script = Arc<dyn Fn(&Captured) -> Behavior + Send + Sync>;

pub struct MockServer {
    pub addr: std::net::SocketAddr,
    requests: Arc<Mutex<Vec<Captured>>>,
    _stop: watch::Sender<()>,
}

impl MockServer {
    pub async fn start(
        script: impl Fn(&Captured) -> Behavior + Send + Sync + 'static,
    ) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (stop_tx, stop_rx) = watch::channel(());
        let script: Script = Arc::new(script);
        let reqs = requests.clone();
        tokio::spawn(async move {
            let mut stop_accept = stop_rx.clone();
            loop {
                let (stream, _) = tokio::select! {
                    r = listener.accept() => match r { Ok(s) => s, Err(_) => return },
                    _ = stop_accept.changed() => return,
                };
                let script = script.clone();
                let reqs = reqs.clone();
                let mut stop = stop_rx.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        _ = serve(stream, script, reqs) => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        });
        MockServer {
            addr,
            requests,
            _stop: stop_tx,
        }
    }

    /// Always answer `body` with HTTP 200.
    pub async fn json(body: serde_json::Value) -> MockServer {
        Self::start(move |_| Behavior::json(body.clone())).await
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }

    pub fn last_request(&self) -> Captured {
        self.requests()
            .last()
            .cloned()
            .expect("no request received")
    }
}

async fn serve(mut stream: TcpStream, script: Script, reqs: Arc<Mutex<Vec<Captured>>>) {
    loop {
        let Some(req) = read_request(&mut stream).await else {
            return;
        };
        reqs.lock().unwrap().push(req.clone());
        let behavior = script(&req);
        match behavior {
            Behavior::Respond {
                status,
                content_type,
                body,
            } => {
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
                let _ = stream.shutdown().await;
                return;
            }
            Behavior::Redirect { status, location } => {
                let head = format!(
                    "HTTP/1.1 {status} X\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.shutdown().await;
                return;
            }
            Behavior::Drop => {
                drop(stream);
                return;
            }
            Behavior::Hang => {
                std::future::pending::<()>().await;
            }
            Behavior::Big { len, framing } => {
                // The client may hang up part-way (that is what a cap does): write errors end it.
                let _ = write_big(&mut stream, len, framing).await;
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}

async fn write_big(stream: &mut TcpStream, len: usize, framing: Framing) -> std::io::Result<()> {
    let length = match framing {
        Framing::ContentLength => format!("Content-Length: {len}\r\n"),
        Framing::Chunked => "Transfer-Encoding: chunked\r\n".to_owned(),
        Framing::UntilClose => String::new(),
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let piece = vec![b' '; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(piece.len());
        if framing == Framing::Chunked {
            stream.write_all(format!("{n:x}\r\n").as_bytes()).await?;
        }
        stream.write_all(&piece[..n]).await?;
        if framing == Framing::Chunked {
            stream.write_all(b"\r\n").await?;
        }
        left -= n;
    }
    if framing == Framing::Chunked {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    Ok(())
}

async fn read_request(stream: &mut TcpStream) -> Option<Captured> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?;
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(len);
    Some(Captured {
        method,
        target,
        headers,
        body,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
