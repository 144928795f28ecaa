//! Streaming UTF-8 validation: whole chunks go to `simdutf8`, and at most 3
//! bytes of an unfinished code point are carried to the next chunk.
//!
//! No UTF-8 decoder is written here: the bulk check is `simdutf8`'s `compat`
//! API (SIMD where the target has it: with the `std` feature it detects the
//! CPU at run time; without it, it uses the instructions that
//! `-C target-feature` enables, and on targets without SIMD, such as Cortex-M,
//! it is `core::str::from_utf8`), and the few bytes around a chunk boundary go
//! through `core::str::from_utf8`.

/// The longest UTF-8 sequence.
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
        if self.carried != 0 {
            chunk = self.finish_carried(chunk)?;
            if self.carried != 0 {
                return Ok(()); // `chunk` was used up and the code point is still open
            }
        }
        match simdutf8::compat::from_utf8(chunk) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_some() => Err(Invalid),
            Err(e) => {
                // An unfinished code point at the end: at most 3 bytes.
                let tail = chunk.get(e.valid_up_to()..).unwrap_or(&[]);
                self.carry_bytes(tail);
                Ok(())
            }
        }
    }

    /// Whether the input so far ends on a code point boundary.
    pub(crate) const fn is_complete(self) -> bool {
        self.carried == 0
    }

    /// Completes the carried code point with the first bytes of `chunk` and
    /// returns the rest of `chunk` to check.
    fn finish_carried<'c>(&mut self, chunk: &'c [u8]) -> Result<&'c [u8], Invalid> {
        let carried = usize::from(self.carried);
        let mut joined = self.carry;
        let room = MAX_SEQ - carried.min(MAX_SEQ);
        let take = room.min(chunk.len());
        if let (Some(dst), Some(src)) = (joined.get_mut(carried..carried + take), chunk.get(..take))
        {
            dst.copy_from_slice(src);
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
        if let (Some(dst), Some(src)) = (self.carry.get_mut(..n), bytes.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.carried = u8::try_from(n).unwrap_or(0);
    }
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

    #[test]
    fn agrees_with_core_for_every_chunking() {
        let samples: &[&[u8]] = &[
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
        ];
        for bytes in samples {
            let expected = core::str::from_utf8(bytes).is_ok();
            for size in 1..=bytes.len().max(1) {
                let got = chunked(bytes, size);
                assert_eq!(got == Ok(true), expected, "{bytes:x?} in {size}");
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
