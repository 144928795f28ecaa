//! Streaming UTF-8 validation: whole chunks go to `simdutf8`, and at most 3
//! bytes of an unfinished code point are carried to the next chunk.
//!
//! Per chunk: the carried code point is finished first (its missing bytes
//! must be continuation bytes; `core::str::from_utf8` decides the few cases
//! where a lone carried lead limits the next byte); an unfinished code point
//! at the end of the chunk is split off by looking at its last 3 bytes; the
//! whole code points in between go to `simdutf8::basic::from_utf8` in one
//! call. So the per-chunk cost is one bulk call plus a few byte checks,
//! whatever the chunking.
//!
//! No UTF-8 decoder is written here: the bulk check is `simdutf8`'s `basic`
//! API (SIMD where the target has it: with the `std` feature it detects the
//! CPU at run time; without it, it uses the instructions that
//! `-C target-feature` enables, and on targets without SIMD, such as Cortex-M,
//! it is `core::str::from_utf8`), and the few bytes around a chunk boundary go
//! through `core::str::from_utf8`, but for two byte-range tests (a lone lead
//! byte C2 to F4 starts a code point; continuation bytes are 10xxxxxx).

/// The longest UTF-8 sequence.
use crate::copy::copy;

const MAX_SEQ: usize = 4;

/// A streaming UTF-8 validator: fails at the first byte that cannot be part
/// of valid UTF-8, whatever the chunking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct Utf8Validator {
    carry: [u8; MAX_SEQ],
    carried: u8,
}

/// The input is not valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid;

impl Utf8Validator {
    pub(crate) const fn new() -> Self {
        Utf8Validator {
            carry: [0; MAX_SEQ],
            carried: 0,
        }
    }

    /// Validates the next chunk.
    pub(crate) fn feed(&mut self, mut chunk: &[u8]) -> Result<(), Invalid> {
        // Short ASCII (most small text frames): one word-wise scan, cheaper
        // than simdutf8's dispatch and block set-up for a few hundred bytes
        // (and it stops at the first non-ASCII byte).
        if self.carried == 0 && chunk.len() <= 256 && is_ascii(chunk) {
            return Ok(());
        }
        if self.carried != 0 {
            chunk = self.finish_carried(chunk)?;
            if self.carried != 0 {
                return Ok(()); // `chunk` was used up and the code point is still open
            }
        }
        // Set aside an unfinished code point at the end (at most 3 bytes), so
        // that the bulk check sees whole code points only and can use
        // simdutf8's `basic` API: a truncated end is not an error to locate
        // (`compat` would re-check the last block with `core::str::from_utf8`
        // to find it, at every chunk that splits a code point).
        let (body, tail) = split_unfinished(chunk);
        if simdutf8::basic::from_utf8(body).is_err() {
            return Err(Invalid);
        }
        match tail {
            [] => {}
            // A lone lead byte starts a valid code point if it is C2 to F4.
            [0xC2..=0xF4] => self.carry_bytes(tail),
            // Otherwise the tail must be the start of a valid code point
            // (`error_len()` `None` means truncated; `Some` means no
            // continuation can help).
            _ => match core::str::from_utf8(tail) {
                Err(e) if e.error_len().is_none() => self.carry_bytes(tail),
                _ => return Err(Invalid),
            },
        }
        Ok(())
    }

    /// Whether the input so far ends on a code point boundary.
    pub(crate) const fn is_complete(self) -> bool {
        self.carried == 0
    }

    /// Completes the carried code point with the first bytes of `chunk` and
    /// returns the rest of `chunk` to check.
    fn finish_carried<'c>(&mut self, chunk: &'c [u8]) -> Result<&'c [u8], Invalid> {
        let carried = usize::from(self.carried);
        let lead = self.carry[0];
        // The carried bytes passed `core::str::from_utf8` as the start of a
        // code point. Unless only a lead that limits its second byte (E0,
        // ED, F0, F4: overlongs, surrogates, > U+10FFFF) is carried, the
        // rest of the code point only has to be continuation bytes
        // (10xxxxxx): the one UTF-8 rule written here, as it saves a
        // `from_utf8` call at every chunk boundary inside a code point.
        if carried >= 2 || !matches!(lead, 0xE0 | 0xED | 0xF0 | 0xF4) {
            let missing = announced_len(lead).saturating_sub(carried);
            let (head, rest) = chunk.split_at_checked(missing).unwrap_or((chunk, &[]));
            if !head.iter().all(|&byte| byte & 0xC0 == 0x80) {
                return Err(Invalid);
            }
            if head.len() < missing {
                // Still unfinished: `chunk` was shorter than the rest of the code point.
                copy(self.carry.get_mut(carried..).unwrap_or_default(), head);
                self.carried = u8::try_from(carried + head.len()).unwrap_or(0);
                return Ok(&[]);
            }
            self.carried = 0;
            return Ok(rest);
        }
        let mut joined = self.carry;
        let room = MAX_SEQ - carried.min(MAX_SEQ);
        let take = room.min(chunk.len());
        if let (Some(dst), Some(src)) = (joined.get_mut(carried..carried + take), chunk.get(..take))
        {
            copy(dst, src);
        }
        let joined = joined.get(..carried + take).unwrap_or(&[]);
        let first_char_end = match core::str::from_utf8(joined) {
            Ok(_) => joined.len(),
            Err(e) if e.valid_up_to() > 0 => e.valid_up_to(),
            Err(e) if e.error_len().is_some() => return Err(Invalid),
            Err(_) => {
                // Still unfinished: `chunk` was shorter than the rest of the code point.
                self.carry_bytes(joined);
                return Ok(&[]);
            }
        };
        // The carried code point ends inside `chunk` (the carried bytes alone
        // were an unfinished prefix, so `first_char_end > carried`).
        self.carried = 0;
        Ok(chunk
            .get(first_char_end.saturating_sub(carried)..)
            .unwrap_or(&[]))
    }

    fn carry_bytes(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(MAX_SEQ);
        copy(&mut self.carry, bytes);
        self.carried = u8::try_from(n).unwrap_or(0);
    }
}

/// The length of the sequence that `byte` starts, going by its high bits
/// alone (1 for ASCII and for a continuation byte; whether the lead is
/// valid at all is for the validators to say).
/// Bytes already checked by a [`Utf8Validator`] as a `str`. Safe code must
/// check them again to make one: simdutf8 does it (`core::str::from_utf8`
/// costs 8 instructions a byte on mixed text, simdutf8 under 1; see
/// `benches/callgrind.sh`). `""` cannot happen for checked bytes.
pub(crate) fn checked_str(bytes: &[u8]) -> &str {
    simdutf8::basic::from_utf8(bytes).unwrap_or("")
}

/// Whether every byte is below 0x80: the high bits of all 8-byte words
/// OR-ed together (a loop the compiler vectorizes), then the tail.
#[inline]
fn is_ascii(bytes: &[u8]) -> bool {
    let (words, tail) = bytes.as_chunks::<8>();
    let high = words
        .iter()
        .fold(0u64, |acc, word| acc | u64::from_ne_bytes(*word));
    let tail_high = tail.iter().fold(0u8, |acc, &byte| acc | byte);
    (high & 0x8080_8080_8080_8080) == 0 && tail_high < 0x80
}

const fn announced_len(byte: u8) -> usize {
    match byte {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xFF => 4,
        _ => 1,
    }
}

/// Splits `chunk` before its last code point if that code point is not
/// finished: `(chunk, [])` if `chunk` ends on a boundary (or with bytes that
/// no continuation can make valid: the bulk check rejects them), otherwise
/// `(body, tail)` with the tail's 1 to 3 bytes starting at a lead byte.
fn split_unfinished(chunk: &[u8]) -> (&[u8], &[u8]) {
    let len = chunk.len();
    // The last code point starts at one of the last 3 bytes, or it is
    // finished (a lead byte further back announces at most 4 bytes).
    for back in 1..=len.min(MAX_SEQ - 1) {
        let Some(&byte) = chunk.get(len - back) else {
            break;
        };
        if byte & 0xC0 != 0x80 {
            // The lead (or ASCII) byte: how many bytes it announces.
            return match chunk.split_at_checked(len - back) {
                Some(split) if announced_len(byte) > back => split,
                _ => (chunk, &[]),
            };
        }
    }
    (chunk, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` in pieces of `size`: the index of the first byte at
    /// which `feed` failed, or `Ok(complete)`.
    fn chunked(bytes: &[u8], size: usize) -> Result<bool, usize> {
        let mut v = Utf8Validator::new();
        for (i, piece) in bytes.chunks(size).enumerate() {
            if v.feed(piece).is_err() {
                return Err(i);
            }
        }
        Ok(v.is_complete())
    }

    /// Valid and invalid UTF-8 for the chunking tests: code points of each
    /// length, leads that limit their second byte (E0, ED, F0, F4) followed
    /// by the next code point, overlongs, surrogates, truncated ends.
    const SAMPLES: &[&[u8]] = &[
        "héllo wörld €𝄞 ✓".as_bytes(),
        b"\xF0\x9F\x92\xA9",
        b"ab\xC0\x80",
        b"\xED\xA0\x80",
        b"\xF4\x90\x80\x80",
        b"\xE2\x82",
        b"\xF0\x9F\x92",
        b"a\xFFb",
        b"\xE2\x82\xAC\xE2",
        b"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80edited",
        "\u{800}€".as_bytes(),
        "\u{D7FF}\u{800}a".as_bytes(),
        "\u{10000}\u{800}".as_bytes(),
        "\u{100000}é€".as_bytes(),
        "€\u{800}𝄞".as_bytes(),
        b"\xE0\xA0\x80\xE2\x82",
        b"\xE0\xA0\x80\xC0\x80",
        b"\xED\xA0\x80\xE2\x82\xAC",
        b"\xF0\x90\x80\x80\xFF",
    ];

    #[test]
    fn agrees_with_core_for_every_chunking() {
        for bytes in SAMPLES {
            let expected = core::str::from_utf8(bytes).is_ok();
            for size in 1..=bytes.len().max(1) {
                let got = chunked(bytes, size);
                assert_eq!(got == Ok(true), expected, "{bytes:x?} in {size}");
            }
        }
    }

    #[test]
    fn the_ascii_scan_sees_every_high_bit() {
        // Bytes whose OR is exactly 0x80 in every lane, in the word loop and
        // in the tail, and one high bit at each position of a word.
        for len in [1, 2, 7, 8, 9, 10, 16, 256] {
            assert!(!is_ascii(&std::vec![0x80; len]), "{len}");
            assert_eq!(
                Utf8Validator::new().feed(&std::vec![0x80; len]),
                Err(Invalid)
            );
        }
        for at in 0..16 {
            let mut bytes = [b'a'; 16];
            bytes[at] = 0xC3;
            assert!(!is_ascii(&bytes), "{at}");
        }
        assert!(is_ascii(&[0x7F; 17]));
    }

    /// Every cut of each sample into three pieces: among them, a carried
    /// code point finished by a piece that also holds (the start of) the
    /// next one, after a lead that limits its second byte and after one
    /// that does not.
    #[test]
    fn agrees_with_core_for_every_cut_in_three() {
        for bytes in SAMPLES {
            let expected = core::str::from_utf8(bytes).is_ok();
            for i in 0..=bytes.len() {
                for j in i..=bytes.len() {
                    let mut v = Utf8Validator::new();
                    let fed = [&bytes[..i], &bytes[i..j], &bytes[j..]]
                        .iter()
                        .all(|piece| v.feed(piece).is_ok());
                    assert_eq!(
                        fed && v.is_complete(),
                        expected,
                        "{bytes:x?} cut at {i} and {j}"
                    );
                }
            }
        }
    }

    #[test]
    fn fails_at_the_exact_byte_when_fed_one_at_a_time() {
        // (input, index of the first byte that no valid UTF-8 can continue with)
        let cases: &[(&[u8], usize)] = &[
            (b"ab\xC0\x80", 2),       // overlong 2-byte lead
            (b"\xE0\x80\x80", 1),     // overlong 3-byte
            (b"\xF0\x80\x80\x80", 1), // overlong 4-byte
            (b"x\xED\xA0\x80", 2),    // UTF-16 surrogate U+D800
            (b"\xF4\x90\x80\x80", 1), // above U+10FFFF
            (b"\xF5", 0),             // lead byte never valid
            (b"\xE2\x82\x41", 2),     // missing continuation
        ];
        for &(bytes, at) in cases {
            assert_eq!(chunked(bytes, 1), Err(at), "{bytes:x?}");
        }
    }
}
