//! The word-at-a-time unmasker against a byte-at-a-time reference, at every
//! length, key phase and chunk split. Also run under Miri on a big-endian
//! target (s390x), where a wrong byte order in the word XOR would show.

// Test code: a panic is a test failure.
#![allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]

use wsframe::{unmask, FrameHeader, MaskingKey, Opcode, Unmasker};

fn reference(data: &[u8], key: [u8; 4], phase: usize) -> Vec<u8> {
    data.iter()
        .enumerate()
        .map(|(i, b)| b ^ key[(phase + i) % 4])
        .collect()
}

fn data(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(131) >> 3) as u8 ^ 0x5A)
        .collect()
}

#[test]
fn one_shot_matches_the_reference_at_every_length() {
    let key = [0x37, 0xfa, 0x21, 0x3d];
    for len in 0..=67 {
        let mut buf = data(len);
        unmask(&mut buf, MaskingKey::new(key));
        assert_eq!(buf, reference(&data(len), key, 0), "len {len}");
    }
}

#[test]
fn chunked_matches_the_reference_at_every_split_pair() {
    let key = [0x01, 0x80, 0xFE, 0x7F];
    let len = 37;
    let original = data(len);
    let expected = reference(&original, key, 0);
    for a in 0..=len {
        for b in a..=len {
            let mut buf = original.clone();
            let mut u = Unmasker::new(MaskingKey::new(key));
            let (first, rest) = buf.split_at_mut(a);
            let (second, third) = rest.split_at_mut(b - a);
            u.apply(first);
            u.apply(second);
            u.apply(third);
            assert_eq!(buf, expected, "splits {a} {b}");
        }
    }
}

#[test]
fn header_unmask_does_nothing_for_unmasked_frames() {
    let h = FrameHeader::new(true, 0, Opcode::Binary, None, 4).unwrap();
    let mut buf = *b"abcd";
    h.unmask(&mut buf);
    assert_eq!(&buf, b"abcd");
    let masked = h.with_masking_key(Some(MaskingKey::new([1, 2, 3, 4])));
    masked.unmask(&mut buf);
    assert_eq!(buf, [b'a' ^ 1, b'b' ^ 2, b'c' ^ 3, b'd' ^ 4]);
}
