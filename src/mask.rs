//! Masking (RFC 6455 §5.3): `MaskingKey`, the chunk-resumable `Unmasker`, and `unmask`.
//!
//! The XOR runs eight bytes at a time on `u64` words built with
//! `from_ne_bytes`; the compiler turns the loop into SIMD on targets that
//! have it. Byte order does not matter, because the key is laid out in the
//! same memory order as the data. No `unsafe` and no alignment tricks.

/// The 4-byte masking key of a masked frame (RFC 6455 §5.3).
///
/// ```
/// let key = wsframe::MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]);
/// assert_eq!(key.to_bytes(), [0x37, 0xfa, 0x21, 0x3d]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MaskingKey([u8; 4]);

impl MaskingKey {
    /// Wraps four key bytes, in wire order.
    #[must_use]
    pub const fn new(bytes: [u8; 4]) -> Self {
        MaskingKey(bytes)
    }

    /// The key bytes, in wire order.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0
    }
}

impl From<[u8; 4]> for MaskingKey {
    fn from(bytes: [u8; 4]) -> Self {
        MaskingKey(bytes)
    }
}

/// Where a client's masking keys come from: one fresh key per frame, from a
/// strong source of entropy (RFC 6455 §5.3). The crate has none of its own;
/// a closure returning a [`MaskingKey`] is one.
///
/// ```
/// use wsframe::{KeySource, MaskingKey};
///
/// // In firmware: the hardware RNG. Here: a counter, which is NOT a strong
/// // source and only shows the shape.
/// let mut n = 0u32;
/// let mut keys = move || {
///     n = n.wrapping_add(0x9E37_79B9);
///     MaskingKey::new(n.to_le_bytes())
/// };
/// assert_ne!(keys.masking_key(), keys.masking_key());
/// ```
pub trait KeySource {
    /// The key for the next frame.
    fn masking_key(&mut self) -> MaskingKey;
}

impl<F: FnMut() -> MaskingKey> KeySource for F {
    fn masking_key(&mut self) -> MaskingKey {
        self()
    }
}

/// Unmasks (or masks: XOR is its own inverse) a payload that arrives in
/// chunks, carrying the key phase from one chunk to the next.
///
/// ```
/// use wsframe::{MaskingKey, Unmasker};
///
/// // RFC 6455 §5.7: "Hello", masked with 37 fa 21 3d, split into 3 + 2 bytes.
/// let mut payload = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let (a, b) = payload.split_at_mut(3);
/// let mut unmasker = Unmasker::new(MaskingKey::new([0x37, 0xfa, 0x21, 0x3d]));
/// unmasker.apply(a);
/// unmasker.apply(b);
/// assert_eq!(&payload, b"Hello");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Unmasker {
    /// The key rotated so that its first byte applies to the next input byte.
    key: [u8; 4],
}

impl Unmasker {
    /// An unmasker at the start of a payload.
    #[must_use]
    pub const fn new(key: MaskingKey) -> Self {
        Unmasker { key: key.0 }
    }

    /// XORs `chunk` with the key, continuing where the previous chunk ended.
    pub fn apply(&mut self, chunk: &mut [u8]) {
        xor_with_key(chunk, self.key);
        // Advance the phase by chunk.len() mod 4 (a byte rotation of the key).
        let word = u32::from_be_bytes(self.key);
        let shift = (chunk.len() % 4) * 8;
        // `shift` < 32, so the rotation amount is exact.
        self.key = word
            .rotate_left(u32::try_from(shift).unwrap_or(0))
            .to_be_bytes();
    }
}

/// Unmasks (or masks) a whole payload in place, starting at key phase 0.
///
/// ```
/// let mut payload = *b"Hello";
/// let key = wsframe::MaskingKey::new([1, 2, 3, 4]);
/// wsframe::unmask(&mut payload, key);
/// assert_ne!(&payload, b"Hello");
/// wsframe::unmask(&mut payload, key);
/// assert_eq!(&payload, b"Hello");
/// ```
pub fn unmask(payload: &mut [u8], key: MaskingKey) {
    xor_with_key(payload, key.0);
}

/// XORs `buf` with `key` repeated, key byte 0 on `buf[0]`.
#[inline]
fn xor_with_key(buf: &mut [u8], key: [u8; 4]) {
    // An empty payload (a masked empty Ping or Close) costs one test, as in
    // a byte loop; under 8 bytes, straight to the tail.
    if buf.is_empty() {
        return;
    }
    let key32 = u32::from_ne_bytes(key);
    let tail = if buf.len() < 8 {
        buf
    } else {
        // The key twice, in memory order on either endianness: both halves
        // of the word are the same four bytes.
        let key_word = u64::from(key32) | u64::from(key32) << 32;
        let (words, tail) = buf.as_chunks_mut::<8>();
        let (quads, single) = words.as_chunks_mut::<4>();
        for [a, b, c, d] in quads {
            *a = (u64::from_ne_bytes(*a) ^ key_word).to_ne_bytes();
            *b = (u64::from_ne_bytes(*b) ^ key_word).to_ne_bytes();
            *c = (u64::from_ne_bytes(*c) ^ key_word).to_ne_bytes();
            *d = (u64::from_ne_bytes(*d) ^ key_word).to_ne_bytes();
        }
        for word in single {
            *word = (u64::from_ne_bytes(*word) ^ key_word).to_ne_bytes();
        }
        tail
    };
    // The tail (0 to 7 bytes) starts at a multiple of 8, so at key phase 0:
    // at most one 4-byte word, then at most 3 bytes, again at phase 0. (A
    // byte loop here was a third of the instructions of unmasking a small
    // frame.)
    let bytes = match tail.split_first_chunk_mut::<4>() {
        Some((word, bytes)) => {
            *word = (u32::from_ne_bytes(*word) ^ key32).to_ne_bytes();
            bytes
        }
        None => tail,
    };
    for (byte, k) in bytes.iter_mut().zip(key) {
        *byte ^= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(buf: &mut [u8], key: [u8; 4], start: usize) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[(start + i) % 4];
        }
    }

    #[test]
    fn matches_byte_reference_at_every_length_and_split() {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let data: std::vec::Vec<u8> = (0..300u32).map(|i| (i * 7 + 3).to_le_bytes()[0]).collect();
        for len in 0..data.len() {
            let mut expected = data[..len].to_vec();
            reference(&mut expected, key, 0);
            let mut one_shot = data[..len].to_vec();
            unmask(&mut one_shot, MaskingKey::new(key));
            assert_eq!(one_shot, expected, "len {len}");
            for split in [0, 1, 2, 3, 5, 8, 9, 17].into_iter().filter(|&s| s <= len) {
                let mut chunked = data[..len].to_vec();
                let (a, b) = chunked.split_at_mut(split);
                let mut u = Unmasker::new(MaskingKey::new(key));
                u.apply(a);
                for c in b.chunks_mut(3) {
                    u.apply(c);
                }
                assert_eq!(chunked, expected, "len {len} split {split}");
            }
        }
    }
}
