//! `unmask`: the word-at-a-time unmasker against a byte-at-a-time
//! reference (RFC 6455 §5.3: `j = i MOD 4`), at every start offset (so every
//! alignment) and length, in one shot (`unmask`, `FrameHeader::unmask`) and
//! chunked at fuzzer-chosen sizes (`Unmasker`, whose key phase must carry
//! across chunks). Bytes outside the slice are never touched, and masking
//! twice gives the input back.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::{unmask, FrameHeader, MaskingKey, Opcode, Unmasker};
use wsframe_fuzz::cut;

#[derive(Debug, Arbitrary)]
struct Input {
    key: [u8; 4],
    offset: u8,
    chunks: Vec<u8>,
    data: Vec<u8>,
}

fn reference(bytes: &mut [u8], key: [u8; 4]) {
    for (i, b) in bytes.iter_mut().enumerate() {
        *b ^= key[i % 4];
    }
}

fuzz_target!(|input: Input| {
    let Input {
        key,
        offset,
        chunks,
        data,
    } = input;
    let mask = MaskingKey::new(key);
    let start = usize::from(offset).min(data.len());
    let mut expected = data.clone();
    reference(&mut expected[start..], key);

    // One shot.
    let mut got = data.clone();
    unmask(&mut got[start..], mask);
    assert_eq!(got, expected, "unmask at offset {start}");
    unmask(&mut got[start..], mask);
    assert_eq!(got, data, "masking twice is not the identity");

    // Through a header: masked unmasks, unmasked leaves the bytes alone.
    let len = (data.len() - start) as u64;
    let header = FrameHeader::new(true, 0, Opcode::Binary, Some(mask), len).unwrap();
    let mut got = data.clone();
    header.unmask(&mut got[start..]);
    assert_eq!(got, expected);
    let mut got = data.clone();
    header.with_masking_key(None).unmask(&mut got[start..]);
    assert_eq!(got, data);

    // Chunked: the pieces of the slice, one Unmasker.
    let mut got = data.clone();
    let mut unmasker = Unmasker::new(mask);
    let mut at = start;
    for piece in cut(&data[start..], &chunks) {
        let end = at + piece.len();
        unmasker.apply(&mut got[at..end]);
        at = end;
    }
    assert_eq!(at, data.len());
    assert_eq!(
        got, expected,
        "Unmasker over pieces {chunks:?} from offset {start}"
    );
});
