//! `copy`: the crate's one byte copy.
//!
//! Not `<[u8]>::copy_from_slice`: at opt-level "z" its length check stays
//! out of line even where the lengths are equal, and keeps a panic path
//! (`embedded/no-panic.sh` finds it). A zipped loop has none, and at
//! opt-level 2 and 3 LLVM turns it into a `memcpy`.

/// Copies `min(dst.len(), src.len())` bytes from the start of `src` to the
/// start of `dst`.
#[inline]
pub(crate) fn copy(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}
