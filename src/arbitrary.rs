//! `arbitrary::Arbitrary` implementations for structured fuzzing (feature `arbitrary`).
