//! A fault-injecting HTTP/1.1 proxy on loopback, between a client and the real server.
//!
//! Each client connection carries one request: the proxy reads it whole, forwards it on a
//! fresh upstream connection with `Connection: close` (so the answer ends at EOF and the
//! client never reuses a connection the proxy is about to break), and answers as the next
//! queued [`Fault`] for that path says. Requests with no fault queued pass through.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

/// Longest a stalled answer is held if the client never gives up.
const MAX_STALL: Duration = Duration::from_secs(60);

/// Largest request or response head the proxy reads.
const MAX_HEAD: usize = 64 * 1024;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwards the request and returns the answer unchanged.
    Pass,
    /// Forwards the request, waits for the whole answer (the server has committed), then
    /// closes the client's connection without a byte back.
    DropAnswer,
    /// Forwards the request and returns the answer's head and half its body, then closes.
    CutAnswer,
    /// Answers 500 without forwarding anything.
    ServerError,
    /// Forwards the request, then holds the answer until the client hangs up (its timeout).
    Stall,
    /// Forwards the request twice, one after the other, and returns the second answer.
    Duplicate,
    /// Forwards the request twice at once, as a retry that overtakes a slow first delivery,
    /// and returns the second answer.
    DuplicateAtOnce,
}

/// One request the proxy handled, for the test to check its fault really happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// Request method.
    pub method: String,
    /// Request path, query included.
    pub path: String,
    /// What the proxy did.
    pub fault: Fault,
    /// Statuses the server answered, one per forwarded copy (none when not forwarded).
    pub upstream: Vec<u16>,
}

#[derive(Default)]
struct Plan {
    queued: VecDeque<(String, Fault)>,
    served: Vec<Served>,
}

impl Plan {
    /// Takes the first fault queued for a path that starts with the queued prefix.
    fn take(&mut self, path: &str) -> Fault {
        match self.queued.iter().position(|(p, _)| path.starts_with(p)) {
            Some(i) => self.queued.remove(i).map_or(Fault::Pass, |(_, f)| f),
            None => Fault::Pass,
        }
    }
}

/// A running proxy; it stops when dropped.
pub struct FaultProxy {
    url: String,
    plan: Arc<Mutex<Plan>>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:port`) on the runtime of `handle`.
    pub fn start(handle: &Handle, upstream: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("upstream is http://ip:port");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        listener.set_nonblocking(true).expect("non-blocking");
        let url = format!("http://{}", listener.local_addr().expect("proxy addr"));
        let plan = Arc::new(Mutex::new(Plan::default()));
        let shared = plan.clone();
        let task = handle.spawn(async move {
            let listener = TcpListener::from_std(listener).expect("tokio listener");
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, upstream, shared.clone()));
            }
        });
        FaultProxy { url, plan, task }
    }

    /// The proxy's base URL, to give the client instead of the server's.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Queues `fault` for the next request whose path starts with `path`.
    pub fn inject(&self, path: &str, fault: Fault) {
        self.plan().queued.push_back((path.to_owned(), fault));
    }

    /// Requests handled so far, oldest first.
    pub fn served(&self) -> Vec<Served> {
        self.plan().served.clone()
    }

    /// Faults queued but not yet met by a request.
    pub fn pending(&self) -> usize {
        self.plan().queued.len()
    }

    fn plan(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A request read whole: its head (request line and headers) and body.
struct Request {
    method: String,
    path: String,
    head: String,
    body: Vec<u8>,
}

async fn serve(mut client: TcpStream, upstream: SocketAddr, plan: Arc<Mutex<Plan>>) {
    let Ok(Some(request)) = read_request(&mut client).await else {
        return;
    };
    let fault = plan
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take(&request.path);
    let answers = match fault {
        Fault::ServerError => Ok(vec![]),
        Fault::Duplicate => match forward(&request, upstream).await {
            Ok(first) => forward(&request, upstream)
                .await
                .map(|second| vec![first, second]),
            Err(e) => Err(e),
        },
        Fault::DuplicateAtOnce => {
            let (first, second) =
                tokio::join!(forward(&request, upstream), forward(&request, upstream));
            first.and_then(|a| second.map(|b| vec![a, b]))
        }
        _ => forward(&request, upstream).await.map(|a| vec![a]),
    };
    let Ok(mut answers) = answers else { return };
    plan.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .served
        .push(Served {
            method: request.method.clone(),
            path: request.path.clone(),
            fault,
            upstream: answers.iter().map(|a| status_of(a)).collect(),
        });
    let answer = answers.pop().unwrap_or_default();
    // Write errors mean the client is gone, which is what some faults are about.
    let _ = match fault {
        Fault::Pass | Fault::Duplicate | Fault::DuplicateAtOnce => client.write_all(&answer).await,
        Fault::DropAnswer => Ok(()),
        Fault::CutAnswer => {
            let head = head_len(&answer).unwrap_or(answer.len());
            let keep = head + (answer.len() - head) / 2;
            client.write_all(&answer[..keep]).await
        }
        Fault::ServerError => {
            let body = r#"{"message":"injected fault"}"#;
            let text = format!(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            client.write_all(text.as_bytes()).await
        }
        Fault::Stall => {
            // The whole request is read, so the next read ends only when the client hangs up.
            let mut byte = [0u8; 1];
            let _ = tokio::time::timeout(MAX_STALL, client.read(&mut byte)).await;
            Ok(())
        }
    };
    let _ = client.shutdown().await;
}

/// Reads one request; `None` if the client closed before sending one.
async fn read_request(client: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(n) = head_len(&buf) {
            break n;
        }
        if buf.len() > MAX_HEAD {
            return Err(std::io::Error::other("request head too long"));
        }
        let mut chunk = [0u8; 8192];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or_default().to_owned();
    let path = words.next().unwrap_or_default().to_owned();
    // Clients here send bodies with a length (reqwest's JSON bodies), never chunked.
    let length = header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 8192];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(Request {
        method,
        path,
        head,
        body,
    }))
}

/// Sends the request on a new connection asking the server to close it after the answer,
/// and returns the answer, head and body, as it came.
async fn forward(request: &Request, upstream: SocketAddr) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    let mut head: String = request
        .head
        .trim_end()
        .split("\r\n")
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .map(|line| format!("{line}\r\n"))
        .collect();
    head.push_str("connection: close\r\n\r\n");
    server.write_all(head.as_bytes()).await?;
    server.write_all(&request.body).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    Ok(answer)
}

/// Length of the head, blank line included, once the buffer holds all of it.
fn head_len(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// A header's value, by case-insensitive name.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The status code of an answer (0 if it has none).
fn status_of(answer: &[u8]) -> u16 {
    let line = answer.split(|b| *b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(line)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_taken_once_by_the_first_matching_path() {
        let mut plan = Plan::default();
        plan.queued
            .push_back(("/api/v1/sync/push".into(), Fault::DropAnswer));
        assert_eq!(plan.take("/api/v1/sync/pull?cursor=0"), Fault::Pass);
        assert_eq!(plan.take("/api/v1/sync/push"), Fault::DropAnswer);
        assert_eq!(plan.take("/api/v1/sync/push"), Fault::Pass);
    }

    #[test]
    fn heads_and_statuses_are_read() {
        let answer = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(head_len(answer), Some(answer.len() - 2));
        assert_eq!(status_of(answer), 201);
        let head = "POST /x HTTP/1.1\r\nContent-Length: 12\r\nHost: a";
        assert_eq!(header(head, "content-length"), Some("12"));
        assert_eq!(header(head, "connection"), None);
    }
}
