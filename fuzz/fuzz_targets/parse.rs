//! `parse`: arbitrary bytes under a configuration taken from the first two
//! bytes. Every input gets a verdict; the bytes consumed never exceed the
//! input; `Partial` asks for at least one byte and is sound (fewer bytes
//! than it asks for never complete the header); a verdict, once reached, does not
//! change when bytes are added; every error is a frame-layer error with
//! close code 1002 or 1009; a header obeys the configuration and, in strict
//! mode, re-encodes to the very bytes it came from; header-only parsing,
//! whole-frame parsing (`parse` and `parse_in_place`) and a `Receiver`'s
//! first event agree (its message rules may add a message-layer error).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::{Config, Error, Event, Frame, FrameHeader, Layer, Receiver, Role, Status};
use wsframe_fuzz::{check_error, config_from};

type Verdict = Result<Status<(FrameHeader, usize)>, Error>;

fn header(buf: &[u8], config: &Config) -> Verdict {
    FrameHeader::parse(buf, config)
}

fn check_header(h: &FrameHeader, used: usize, buf: &[u8], config: &Config) {
    assert!((FrameHeader::MIN_LEN..=FrameHeader::MAX_LEN).contains(&used));
    assert!(used <= buf.len());
    assert_eq!(h.rsv() & !config.allowed_rsv(), 0, "rsv not allowed");
    match config.role() {
        Role::Server => assert!(h.is_masked()),
        Role::Client => assert!(!h.is_masked()),
        Role::Any => {}
    }
    if h.opcode().is_control() {
        assert!(h.fin() && h.payload_len() <= FrameHeader::MAX_CONTROL_PAYLOAD);
    }
    assert!(h.payload_len() <= config.max_frame_payload());
    assert!(h.payload_len() <= FrameHeader::MAX_PAYLOAD_LEN);
    // Re-encoding: the minimal form, so the same bytes in strict mode.
    let mut out = [0u8; FrameHeader::MAX_LEN];
    let n = h
        .encode(&mut out)
        .expect("a 14-byte buffer holds any header");
    assert_eq!(n, h.encoded_len());
    if config.strict_length() {
        assert_eq!(
            &out[..n],
            &buf[..used],
            "strict header does not re-encode to itself"
        );
    } else {
        assert!(n <= used);
        assert_eq!(out[0], buf[0]);
    }
    let again = header(&out[..n], &config.with_strict_length(true));
    assert_eq!(
        again,
        Ok(Status::Complete((*h, n))),
        "re-encoded header parses differently"
    );
}

fuzz_target!(|data: &[u8]| {
    let (config, buf) = config_from(data);
    let full = header(buf, &config);

    // Every prefix: Partial until a verdict, then that verdict for good.
    let mut settled: Option<(usize, Verdict)> = None;
    let mut next_possible = 0;
    for k in 0..=buf.len().min(FrameHeader::MAX_LEN) {
        let v = header(&buf[..k], &config);
        match (&settled, &v) {
            (Some((_, first)), _) => assert_eq!(&v, first, "verdict changed at {k} bytes"),
            (None, Ok(Status::Partial { needed })) => {
                assert!(needed.get() >= 1 && k + needed.get() <= FrameHeader::MAX_LEN);
                next_possible = next_possible.max(k + needed.get());
            }
            (None, _) => {
                // An error may come before the header is complete (it is
                // reported as soon as the bytes that show it are in); a
                // header may not come before the bytes `Partial` asked for.
                if v.as_ref().is_ok_and(Status::is_complete) {
                    assert!(
                        k >= next_possible,
                        "header at {k} bytes, before the bytes asked for"
                    );
                }
                settled = Some((k, v.clone()));
            }
        }
    }
    match &settled {
        Some((_, first)) => assert_eq!(&full, first),
        None => assert!(
            buf.len() < FrameHeader::MAX_LEN,
            "no verdict after 14 bytes"
        ),
    }

    match &full {
        Ok(Status::Complete((h, used))) => check_header(h, *used, buf, &config),
        Ok(Status::Partial { needed }) => {
            assert!(buf.len() < FrameHeader::MAX_LEN && needed.get() >= 1);
            // Fewer bytes than asked for cannot complete the header (an
            // error may show up earlier: see `Status::Partial`).
            for fill in [0x00, 0xFF] {
                let mut longer = buf.to_vec();
                longer.resize(buf.len() + needed.get() - 1, fill);
                assert!(!header(&longer, &config).is_ok_and(|s| s.is_complete()));
            }
        }
        Err(e) => {
            check_error(*e);
            assert_eq!(e.layer(), Layer::Frame, "{e:?} from the frame layer");
            assert_ne!(e.close_code().as_u16(), 1007);
            for fill in [0x00, 0xFF] {
                let mut longer = buf.to_vec();
                longer.resize(buf.len() + 14, fill);
                assert_eq!(header(&longer, &config), Err(*e));
            }
        }
    }

    // Whole-frame parsing agrees with header parsing.
    let frame = Frame::parse(buf, &config);
    let mut copy = buf.to_vec();
    let in_place = Frame::parse_in_place(&mut copy, &config);
    match (&full, &frame) {
        (Err(a), Err(b)) => assert_eq!(a, b),
        (Ok(Status::Partial { needed: a }), Ok(Status::Partial { needed: b })) => {
            assert_eq!(a, b);
        }
        (Ok(Status::Complete((h, used))), Ok(Status::Complete((f, total)))) => {
            assert_eq!(f.header(), h);
            assert_eq!(*total as u64, *used as u64 + h.payload_len());
            assert!(*total <= buf.len());
            assert_eq!(f.payload(), &buf[*used..*total]);
        }
        (Ok(Status::Complete((h, used))), Ok(Status::Partial { needed })) => {
            let total = *used as u64 + h.payload_len();
            assert!(total > buf.len() as u64);
            assert_eq!(needed.get() as u64, total - buf.len() as u64);
        }
        (a, b) => panic!("header {a:?} but frame {b:?}"),
    }
    match (&frame, &in_place) {
        (Ok(Status::Complete((f, total))), Ok(Status::Complete((g, total2)))) => {
            assert_eq!((f.header(), total), (g.header(), total2));
            let mut plain = f.payload().to_vec();
            f.header().unmask(&mut plain);
            assert_eq!(g.payload(), &plain[..]);
        }
        (a, b) => {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            assert_eq!(
                copy, buf,
                "parse_in_place changed the buffer without a frame"
            );
        }
    }

    // A receiver's first event agrees too: the frame rules come first (a
    // message rule is decided at the length field, the last byte a frame
    // rule is decided at), then the message rules of a first frame.
    let mut rx = Receiver::new(config).with_header_events();
    let mut input = buf.to_vec();
    match (rx.read(&mut input), &full) {
        (Err(a), Err(b)) => assert_eq!(&a, b),
        (Err(a), Ok(_)) => assert_eq!(a.layer(), Layer::Message, "{a:?}"),
        (Ok((used, Some(Event::Header(h)))), Ok(Status::Complete((g, n)))) => {
            assert_eq!((&h, used), (g, *n));
        }
        (Ok((used, None)), Ok(Status::Partial { .. })) => assert_eq!(used, buf.len()),
        (a, b) => panic!("Receiver {a:?} but FrameHeader::parse {b:?}"),
    }
});
