//! Regression tests: every crash or property failure the fuzz targets
//! (`fuzz/`, issue 5) found, minimised, as one named row with its bytes
//! inline and the verdict and close code RFC 6455 calls for.
//!
//! Each row names the entry point it runs (`header`: `FrameHeader::parse`)
//! and the verdict it expects.

use wsframe::{Config, Error, FrameHeader, Role};

/// What the RFC calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// `FrameHeader::parse`: `Partial` asking for this many more bytes.
    Partial(usize),
    /// The first error and its close code.
    Fails(Error, u16),
}

fn header(config: &Config, bytes: &[u8], expected: Expect) {
    let got = FrameHeader::parse(bytes, config);
    match expected {
        Expect::Partial(n) => assert_eq!(got.map(|s| s.needed()), Ok(Some(n)), "{bytes:02x?}"),
        Expect::Fails(e, code) => {
            assert_eq!(got, Err(e), "{bytes:02x?}");
            assert_eq!(e.close_code().as_u16(), code);
        }
    }
}

macro_rules! regressions {
    ($($(#[$doc:meta])* $kind:ident $name:ident: $config:expr, $bytes:expr => $expected:expr;)*) => {
        $(
            $(#[$doc])*
            #[test]
            fn $name() {
                $kind(&$config, &$bytes, $expected);
            }
        )*
    };
}

regressions! {
    /// `parse` found (first property run): `Partial { needed }` counts the
    /// bytes that complete the header, not the bytes before any verdict. The
    /// empty input asks for 2, yet one byte with a reserved RSV bit is
    /// already a 1002 (§5.2), as `FrameHeader::parse` documents ("a bad
    /// first byte is rejected on its own"). `Status::Partial`'s doc said
    /// "certainly needed before the call can return anything other than
    /// `Partial`", which an error breaks.
    header partial_counts_header_bytes_on_empty_input: Config::server(), [] => Expect::Partial(2);
    /// The same: one byte with RSV1 set, no extension negotiated: 1002 (§5.2).
    header error_comes_before_the_bytes_partial_asked_for: Config::server(), [0xC1]
        => Expect::Fails(Error::ReservedBits, 1002);
    /// The same for the length: the header asks for 6 more bytes (16-bit
    /// length and masking key), but a length over the limit is a 1009 (§10.4)
    /// as soon as the length field is in, before the masking key.
    header frame_limit_before_the_masking_key: Config::server().with_max_frame_payload(125),
        [0x82, 0xFE, 0x00, 0x7E] => Expect::Fails(Error::FrameTooBig, 1009);
    /// The count itself: after `82 FE` a masked 16-bit-length header needs 6 more.
    header partial_counts_the_rest_of_the_header: Config::new(Role::Server), [0x82, 0xFE]
        => Expect::Partial(6);
}
