//! `Status`: a complete result, or how many more bytes are needed.

use core::num::NonZeroUsize;

/// The result of parsing input that may be incomplete.
///
/// Incomplete input is never an [`Error`](crate::Error): it is
/// `Partial`, nothing was consumed, and the caller calls again with the same
/// bytes plus at least `needed` more.
///
/// ```
/// use wsframe::{Config, FrameHeader};
///
/// // The first byte of a masked text frame: the header needs one more byte
/// // before its length is known.
/// let status = FrameHeader::parse(&[0x81], &Config::server()).unwrap();
/// assert_eq!(status.needed(), Some(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status<T> {
    /// The value, parsed from the start of the input.
    Complete(T),
    /// The input ends too early; nothing was consumed.
    Partial {
        /// The number of further bytes needed to complete the value, as far
        /// as the bytes seen so far tell (for a header: the rest of it; for a
        /// whole frame: the rest of its header, then of its payload). An
        /// error can be reported sooner, as soon as the bytes that show it
        /// arrive; valid input is never complete with fewer.
        needed: NonZeroUsize,
    },
}

impl<T> Status<T> {
    /// `Partial` asking for `needed` more bytes (at least one).
    pub(crate) const fn partial(needed: usize) -> Self {
        Status::Partial {
            needed: match NonZeroUsize::new(needed) {
                Some(n) => n,
                None => NonZeroUsize::MIN,
            },
        }
    }

    /// Whether this is `Complete`.
    ///
    /// ```
    /// assert!(wsframe::Status::Complete(()).is_complete());
    /// ```
    #[must_use]
    pub const fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// Whether this is `Partial`.
    ///
    /// ```
    /// assert!(!wsframe::Status::Complete(()).is_partial());
    /// ```
    #[must_use]
    pub const fn is_partial(&self) -> bool {
        matches!(self, Status::Partial { .. })
    }

    /// The complete value, if any.
    ///
    /// ```
    /// assert_eq!(wsframe::Status::Complete(7).complete(), Some(7));
    /// ```
    #[must_use]
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(value) => Some(value),
            Status::Partial { .. } => None,
        }
    }

    /// The number of further bytes needed, if `Partial`.
    ///
    /// ```
    /// assert_eq!(wsframe::Status::Complete(7).needed(), None);
    /// ```
    #[must_use]
    pub const fn needed(&self) -> Option<usize> {
        match self {
            Status::Complete(_) => None,
            Status::Partial { needed } => Some(needed.get()),
        }
    }

    /// Maps the complete value.
    ///
    /// ```
    /// assert_eq!(wsframe::Status::Complete(2).map(|v| v * 2), wsframe::Status::Complete(4));
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Status<U> {
        match self {
            Status::Complete(value) => Status::Complete(f(value)),
            Status::Partial { needed } => Status::Partial { needed },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_accessor_tells_the_two_variants_apart() {
        let complete: Status<u8> = Status::Complete(7);
        let partial: Status<u8> = Status::partial(3);
        assert!(complete.is_complete() && !complete.is_partial());
        assert!(partial.is_partial() && !partial.is_complete());
        assert_eq!((complete.needed(), partial.needed()), (None, Some(3)));
        assert_eq!((complete.complete(), partial.complete()), (Some(7), None));
        assert_eq!(complete.map(u16::from), Status::Complete(7u16));
        assert_eq!(partial.map(u16::from), Status::partial(3));
        // `Partial` asks for at least one byte.
        assert_eq!(Status::<()>::partial(0).needed(), Some(1));
    }
}
