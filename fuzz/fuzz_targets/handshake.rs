//! `handshake`: arbitrary bytes as a client's upgrade request
//! (`handshake::Request::parse`) and as a server's answer (`Response::parse`).
//! Every input gets a verdict; the head consumed never exceeds the input or
//! the limit; `Partial` asks for one byte; a verdict, once reached, does not
//! change when bytes are added; a request that passes has a 16-byte key, token
//! subprotocols and comma-free extensions, and the `101` answer written for it
//! (with its first subprotocol) passes the client's check for that key; a
//! refusal writes a response with its status code; an answer that passes
//! names only what the client offered (its extensions read both by the
//! library and by this target).
#![no_main]

use core::fmt::Debug;

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use wsframe::handshake::{AcceptOptions, ClientRequest, Request, Response};
use wsframe::Status;

const LIMIT: usize = 1024;

/// Every prefix of `data` (all of the first 64, then every 7th) is `Partial`
/// asking for one byte, or the verdict on the whole; once a prefix has a
/// verdict, every longer one has it too.
fn check_prefixes<'a, T: PartialEq + Debug, E: PartialEq + Debug>(
    data: &'a [u8],
    parse: impl Fn(&'a [u8]) -> Result<Status<T>, E>,
) -> Result<Status<T>, E> {
    let whole = parse(data);
    let mut decided = false;
    for end in (0..=data.len()).filter(|&e| e < 64 || e % 7 == 0 || e == data.len()) {
        match parse(&data[..end]) {
            Ok(Status::Partial { needed }) => {
                assert!(!decided, "Partial after a verdict at {end}");
                assert_eq!(needed.get(), 1);
            }
            verdict => {
                assert_eq!(verdict, whole, "verdict at {end}");
                decided = true;
            }
        }
    }
    whole
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fuzz_target!(|data: &[u8]| {
    match check_prefixes(data, |b| Request::parse(b, LIMIT)) {
        Ok(Status::Complete((request, used))) => {
            assert!(used <= data.len() && used <= LIMIT);
            let mut nonce = [0u8; 18];
            let n = base64::engine::general_purpose::STANDARD
                .decode_slice(request.key(), &mut nonce)
                .expect("a key that passed is base64");
            assert_eq!(n, 16);
            assert!(request.subprotocols().all(is_token));
            assert!(request
                .extensions()
                .all(|e| !e.is_empty() && !e.contains(',')));
            let first = request.subprotocols().next();
            let mut options = AcceptOptions::new();
            if let Some(first) = first {
                options = options.with_subprotocol(first);
            }
            let mut answer = [0u8; 2 * LIMIT];
            let len = request
                .accept(&options, &mut answer)
                .expect("the 101 answer");
            let offered: Vec<&str> = first.into_iter().collect();
            let client = ClientRequest::new("h", "/", nonce[..16].try_into().unwrap())
                .with_subprotocols(&offered);
            let (response, used) = Response::parse(&answer[..len], &client, 2 * LIMIT)
                .expect("the crate's own 101 answer passes its client check")
                .complete()
                .expect("complete");
            assert_eq!((response.subprotocol(), used), (first, len));
        }
        Ok(Status::Partial { .. }) => assert!(data.len() < LIMIT),
        Err(e) => {
            let mut out = [0u8; 256];
            let n = e
                .encode_response(&mut out)
                .expect("256 bytes hold a refusal");
            let status = format!("HTTP/1.1 {} ", e.status_code());
            assert!(out[..n].starts_with(status.as_bytes()));
        }
    }

    let client = ClientRequest::new("h", "/", *b"the sample nonce")
        .with_subprotocols(&["chat", "superchat"])
        .with_extensions(&["permessage-deflate; client_max_window_bits"]);
    if let Ok(Status::Complete((response, used))) =
        check_prefixes(data, |b| Response::parse(b, &client, LIMIT))
    {
        assert!(used <= data.len() && used <= LIMIT);
        assert!(response
            .subprotocol()
            .is_none_or(|p| p == "chat" || p == "superchat"));
        // Twice: through the library's list reader, and through this
        // target's own reading of the head, so that a reader which skips
        // too much cannot hide an unoffered extension from both.
        assert!(response.extensions().all(names_the_offer));
        assert!(answered_extensions(&data[..used]).all(names_the_offer));
    }
});

/// Whether an answered extension is the one the client offered.
fn names_the_offer(extension: &str) -> bool {
    extension
        .split(';')
        .next()
        .unwrap()
        .trim()
        .eq_ignore_ascii_case("permessage-deflate")
}

/// Every non-blank element of every `Sec-WebSocket-Extensions` line of a head
/// the client accepted (lines end in LF or CRLF; the blank line ends the head).
fn answered_extensions(head: &[u8]) -> impl Iterator<Item = &str> {
    head.split(|&b| b == b'\n')
        .skip(1)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .take_while(|line| !line.is_empty())
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let (name, value) = (&line[..colon], &line[colon + 1..]);
            name.eq_ignore_ascii_case(b"sec-websocket-extensions")
                .then(|| core::str::from_utf8(value).expect("accepted extensions are ASCII"))
        })
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|element| !element.is_empty())
}
