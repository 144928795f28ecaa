//! The echo server of `examples/echo_server.rs` against a real browser:
//! headless Chromium loads the server's test page, whose script echoes text
//! and binary messages through the browser's own `WebSocket` and then sends
//! one message over the limit. The test reads the page's result and asserts
//! that every echo matched and that the browser's `CloseEvent.code` was 1009.
//!
//! Ignored by default because it needs Chromium; run it with
//!
//! ```text
//! apt-get install chromium   # Debian; or set WSFRAME_CHROMIUM=/path/to/chrome
//! cargo test --features handshake --test echo_browser -- --ignored
//! ```
//!
//! Without Chromium the test fails (it never passes silently).
//!
//! `--dump-dom` cannot be used to read the result: it dumps at the page's load
//! event, and `--virtual-time-budget` fast-forwards timers without waiting for
//! WebSocket traffic. So the test starts Chromium with
//! `--remote-debugging-port=0` and polls the page's `<pre id="result">` over
//! Chromium's remote debugging protocol, CDP (itself a WebSocket, spoken here with tungstenite),
//! which also takes the screenshot: it is written to the target directory,
//! and to the path in `WSFRAME_SCREENSHOT` if that is set
//! (`docs/echo_page.png` was made that way). Everything stays on loopback.

// Test code: a failed unwrap, expect or panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(dead_code)]
#[path = "../examples/echo_server.rs"]
mod server;

use core::time::Duration;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use tungstenite::{Message, WebSocket};

/// The whole browser run must finish within this.
const DEADLINE: Duration = Duration::from_secs(40);

const INSTALL: &str = "this test needs Chromium: install it with \
    `apt-get update && apt-get install -y chromium` (Debian/Ubuntu), \
    or set WSFRAME_CHROMIUM to a Chrome or Chromium binary";

/// `WSFRAME_CHROMIUM`, `/usr/bin/chromium`, or `chromium` /
/// `chromium-browser` on `PATH`.
fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("WSFRAME_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let usual = Path::new("/usr/bin/chromium");
    if usual.is_file() {
        return Some(usual.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

/// A Chromium process and its profile directory, both removed on drop.
struct Browser {
    child: Child,
    profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Chromium's helper processes may still be writing for a moment.
        for _ in 0..20 {
            if fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                break;
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Browser {
    fn launch(chromium: &Path, url: &str) -> Browser {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let profile = std::env::temp_dir().join(format!(
            "wsframe-echo-browser-{}-{nanos}",
            std::process::id()
        ));
        fs::create_dir_all(&profile).unwrap();
        let log = fs::File::create(profile.join("chromium.log")).unwrap();
        let spawned = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--window-size=760,900",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn();
        match spawned {
            Ok(child) => Browser { child, profile },
            Err(e) => {
                let _ = fs::remove_dir_all(&profile);
                panic!("cannot start {}: {e}; {INSTALL}", chromium.display())
            }
        }
    }

    /// Chromium's output so far, for failure messages.
    fn log(&self) -> String {
        let log = fs::read_to_string(self.profile.join("chromium.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// The CDP port, from the `DevToolsActivePort` file Chromium writes.
    fn devtools_port(&mut self, deadline: Instant) -> u16 {
        let file = self.profile.join("DevToolsActivePort");
        loop {
            if let Ok(text) = fs::read_to_string(&file) {
                if let Some(port) = text.lines().next().and_then(|l| l.trim().parse().ok()) {
                    return port;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "chromium exited with {status} before DevTools was up:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no DevTools port from chromium:\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A plain HTTP GET on loopback; the response body (read by its
/// `Content-Length`: the CDP server keeps connections open).
fn http_get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length {
                return body.to_owned();
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return String::new(),
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
    }
}

/// The CDP WebSocket URL of the page showing `url`.
fn page_target(port: u16, url: &str, deadline: Instant) -> String {
    loop {
        let list = http_get(port, "/json/list");
        // Each target is a flat JSON object; take the one showing our page.
        for target in list.split('}') {
            if target.contains(&format!("\"url\": \"{url}\"")) {
                if let Some(ws) = string_field(target, "webSocketDebuggerUrl") {
                    return ws;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no DevTools target for {url}: {list}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// The raw JSON value of `"key"` in `json` (a number, `true`, a string with
/// its quotes, …), for the flat objects this test reads.
fn field<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":");
    let start = json.find(&pattern)? + pattern.len();
    let rest = json[start..].trim_start();
    let end = if rest.starts_with('"') {
        let mut escaped = false;
        rest.char_indices()
            .skip(1)
            .find(|&(_, c)| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            })
            .map(|(i, _)| i + 1)?
    } else {
        rest.find([',', '}', ']']).unwrap_or(rest.len())
    };
    Some(rest[..end].trim())
}

/// A string field without its quotes (these strings hold no escapes).
fn string_field(json: &str, key: &str) -> Option<String> {
    let raw = field(json, key)?;
    Some(raw.strip_prefix('"')?.strip_suffix('"')?.to_owned())
}

/// A CDP session on one page.
struct DevTools {
    ws: WebSocket<TcpStream>,
    next_id: u32,
}

impl DevTools {
    fn connect(url: &str) -> DevTools {
        let addr = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .unwrap();
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let (ws, _) = tungstenite::client(url, stream).expect("DevTools handshake");
        DevTools { ws, next_id: 1 }
    }

    /// Sends a command and returns its response (the raw JSON text).
    fn call(&mut self, method: &str, params: &str) -> String {
        let id = self.next_id;
        self.next_id += 1;
        let command = format!("{{\"id\":{id},\"method\":\"{method}\",\"params\":{params}}}");
        self.ws.send(Message::text(command)).unwrap();
        let prefix = format!("{{\"id\":{id},");
        loop {
            if let Message::Text(text) = self.ws.read().unwrap() {
                if text.starts_with(&prefix) {
                    assert!(!text.contains("\"error\":{"), "{method}: {text}");
                    return text.as_str().to_owned();
                }
            }
        }
    }
}

#[test]
#[ignore = "needs chromium: run with --ignored after apt-get install chromium"]
fn chromium_echoes_through_wsframe_and_sees_close_1009() {
    let started = Instant::now();
    let deadline = started + DEADLINE;
    let chromium = find_chromium().unwrap_or_else(|| panic!("chromium not found: {INSTALL}"));

    let options = server::Options::default();
    let limit = options.single_frame_limit();
    let addr = server::start("127.0.0.1:0", options).expect("bind 127.0.0.1:0");
    let url = format!("http://{addr}/");

    let mut browser = Browser::launch(&chromium, &url);
    let port = browser.devtools_port(deadline);
    let mut devtools = DevTools::connect(&page_target(port, &url, deadline));

    // Poll the page until its script has written the result.
    let expression = "(() => { const r = document.getElementById('result'); \
        return r && r.dataset.done === '1' ? JSON.parse(r.textContent) : null; })()";
    let params = format!("{{\"expression\":\"{expression}\",\"returnByValue\":true}}");
    let result = loop {
        let response = devtools.call("Runtime.evaluate", &params);
        if !response.contains("\"subtype\":\"null\"") {
            break response;
        }
        assert!(
            Instant::now() < deadline,
            "the page did not finish in {DEADLINE:?}:\n{}",
            browser.log()
        );
        thread::sleep(Duration::from_millis(100));
    };
    let elapsed = started.elapsed();

    // The screenshot, for the README.
    let shot = devtools.call("Page.captureScreenshot", "{\"format\":\"png\"}");
    let png = base64::engine::general_purpose::STANDARD
        .decode(string_field(&shot, "data").expect("screenshot data"))
        .unwrap();
    let mut targets = vec![PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("echo_page.png")];
    targets.extend(std::env::var_os("WSFRAME_SCREENSHOT").map(PathBuf::from));
    for path in &targets {
        fs::write(path, &png).unwrap();
    }

    println!("chromium result after {elapsed:?}: {result}");
    println!("screenshot: {}", targets[targets.len() - 1].display());

    let matched = result.matches("\"matched\":true").count();
    let mismatched = result.matches("\"matched\":false").count();
    assert_eq!(mismatched, 0, "some echoes differ: {result}");
    assert!(matched >= 20, "too few echoes ({matched}): {result}");
    assert_eq!(field(&result, "allEchoesMatched"), Some("true"), "{result}");
    assert_eq!(field(&result, "limit"), Some(limit.to_string().as_str()));
    assert_eq!(field(&result, "error"), Some("null"), "{result}");
    assert_eq!(
        field(&result, "closeCode"),
        Some("1009"),
        "the browser's CloseEvent.code: {result}"
    );
    // Chromium may send a long message in several frames, so the limit that
    // trips is the frame limit or the message limit: 1009 either way.
    let reason = string_field(&result, "closeReason").unwrap_or_default();
    assert!(
        [wsframe::Error::FrameTooBig, wsframe::Error::MessageTooBig]
            .iter()
            .any(|e| e.as_str() == reason),
        "close reason {reason:?}: {result}"
    );
    // The closing handshake completed: a Close frame, not a dropped connection.
    assert_eq!(field(&result, "wasClean"), Some("true"), "{result}");
    assert_eq!(field(&result, "ok"), Some("true"), "{result}");
}
