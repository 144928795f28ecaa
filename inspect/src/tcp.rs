//! One direction of a TCP connection, put back in order by sequence number.
//!
//! - Sequence numbers become 64-bit stream offsets (0 = the first byte after
//!   the SYN, or the first byte seen when the capture starts mid-connection),
//!   so wrap-around needs no special case.
//! - A retransmission or an overlap delivers only the bytes not yet
//!   delivered; a segment ahead of the next expected byte waits in a
//!   bounded queue.
//! - A hole is never glued over: it becomes a [`Gap`] when the peer
//!   acknowledges bytes past it (they were sent but are not in the capture),
//!   when the queue is full, or when the stream ends with segments still
//!   waiting.

use std::collections::BTreeMap;

use crate::capture::Nanos;

/// Bytes that may wait behind a hole before it is declared a gap.
pub const MAX_QUEUED: usize = 4 << 20;

/// A hole in the stream: `len` bytes at `offset` are not in the capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// Where the missing bytes start.
    pub offset: u64,
    /// How many are missing (`None`: unknown, the stream ended).
    pub len: Option<u64>,
}

/// Where a segment's payload goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// In order: deliver the payload from this index on (the bytes before it
    /// were delivered already), at stream offset `offset`.
    Deliver {
        /// Bytes of the payload already delivered (retransmitted or overlapping).
        skip: usize,
        /// The stream offset of `payload[skip]`.
        offset: u64,
    },
    /// Ahead of a hole: queued.
    Queued,
    /// Nothing new (a retransmission, or no payload).
    Nothing,
}

/// One direction's reassembly state.
#[derive(Debug, Default)]
pub struct Stream {
    /// The sequence number of the next byte expected, once known.
    next_seq: Option<u32>,
    /// Bytes delivered (the offset of the next byte expected).
    delivered: u64,
    /// A SYN was seen: offsets count from the first byte.
    pub saw_syn: bool,
    /// Segments ahead of a hole, by stream offset.
    queue: BTreeMap<u64, (Vec<u8>, Nanos)>,
    queued: usize,
    /// Retransmitted or overlapping payload bytes ignored.
    pub duplicate_bytes: u64,
}

impl Stream {
    /// The offset of the next byte expected.
    #[must_use]
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Whether any sequence number has been seen.
    #[must_use]
    pub fn started(&self) -> bool {
        self.next_seq.is_some()
    }

    /// The stream offset of `seq` (relative to the next expected byte,
    /// within ±2^31).
    fn offset_of(&self, seq: u32, next_seq: u32) -> i128 {
        // Reinterpreting the distance as signed is the point: a sequence
        // number just before `next_seq` is a retransmission.
        #[allow(clippy::cast_possible_wrap)]
        let distance = seq.wrapping_sub(next_seq) as i32;
        i128::from(self.delivered) + i128::from(distance)
    }

    /// Takes a segment: its SYN, sequence number and payload.
    pub fn segment(&mut self, syn: bool, seq: u32, payload: &[u8], time: Nanos) -> Accept {
        if syn {
            if self.next_seq.is_none() {
                self.saw_syn = true;
                self.next_seq = Some(seq.wrapping_add(1));
            }
            // Data on a SYN (TCP Fast Open) starts after it.
            return self.data(seq.wrapping_add(1), payload, time);
        }
        self.data(seq, payload, time)
    }

    fn data(&mut self, seq: u32, payload: &[u8], time: Nanos) -> Accept {
        if payload.is_empty() {
            return Accept::Nothing;
        }
        let next_seq = *self.next_seq.get_or_insert(seq);
        let start = self.offset_of(seq, next_seq);
        let end = start + payload.len() as i128;
        let delivered = i128::from(self.delivered);
        if end <= delivered {
            self.duplicate_bytes += payload.len() as u64;
            return Accept::Nothing;
        }
        if start <= delivered {
            let skip = usize::try_from(delivered - start).unwrap_or(0);
            self.duplicate_bytes += skip as u64;
            let fresh = payload.len() - skip;
            self.advance(fresh);
            return Accept::Deliver {
                skip,
                offset: self.delivered - fresh as u64,
            };
        }
        let Ok(start) = u64::try_from(start) else {
            return Accept::Nothing;
        };
        // Keep the longer of two segments queued at the same offset.
        let keep = self
            .queue
            .get(&start)
            .is_none_or(|(old, _)| old.len() < payload.len());
        if keep {
            if let Some((old, _)) = self.queue.insert(start, (payload.to_vec(), time)) {
                self.queued -= old.len();
            }
            self.queued += payload.len();
        }
        Accept::Queued
    }

    fn advance(&mut self, bytes: usize) {
        self.delivered += bytes as u64;
        if let Some(next) = self.next_seq.as_mut() {
            // Sequence numbers are modulo 2^32.
            #[allow(clippy::cast_possible_truncation)]
            let step = bytes as u32;
            *next = next.wrapping_add(step);
        }
    }

    /// The next queued bytes that are now in order, with their offset and
    /// capture time.
    pub fn pop_ready(&mut self) -> Option<(u64, Vec<u8>, Nanos)> {
        loop {
            let (&start, _) = self.queue.first_key_value()?;
            if start > self.delivered {
                return None;
            }
            let (_, (bytes, time)) = self.queue.pop_first()?;
            self.queued -= bytes.len();
            let end = start + bytes.len() as u64;
            if end <= self.delivered {
                self.duplicate_bytes += bytes.len() as u64;
                continue;
            }
            let skip = usize::try_from(self.delivered - start).unwrap_or(0);
            self.duplicate_bytes += skip as u64;
            let fresh = bytes.get(skip..).unwrap_or(&[]).to_vec();
            let offset = self.delivered;
            self.advance(fresh.len());
            return Some((offset, fresh, time));
        }
    }

    /// Whether segments wait behind a hole and the queue is over its bound.
    #[must_use]
    pub fn over_bound(&self) -> bool {
        self.queued > MAX_QUEUED
    }

    /// Whether segments wait behind a hole.
    #[must_use]
    pub fn has_queue(&self) -> bool {
        !self.queue.is_empty()
    }

    /// The peer acknowledged `ack_no`: if that is past the next expected
    /// byte, the bytes in between were sent but are not in the capture.
    pub fn acknowledged(&mut self, ack_no: u32) -> Option<Gap> {
        let next_seq = self.next_seq?;
        let acked = self.offset_of(ack_no, next_seq);
        let delivered = i128::from(self.delivered);
        // A FIN takes one sequence number; an ACK of it is not a hole.
        if acked <= delivered + 1 {
            return None;
        }
        let hole_end = self
            .queue
            .first_key_value()
            .map_or(acked, |(&s, _)| i128::from(s).min(acked));
        let len = u64::try_from(hole_end - delivered).ok()?;
        (len > 0).then(|| self.skip(len))
    }

    /// Declares the hole before the first queued segment a gap (the stream
    /// ended, or the queue is full); `None` if nothing is queued.
    pub fn force_gap(&mut self) -> Option<Gap> {
        let (&start, _) = self.queue.first_key_value()?;
        let len = start.saturating_sub(self.delivered);
        Some(self.skip(len))
    }

    /// The snap length cut the last `len` bytes of the segment just
    /// delivered: they are a gap.
    pub fn skip_cut(&mut self, len: u64) -> Gap {
        self.skip(len)
    }

    /// Skips `len` missing bytes.
    fn skip(&mut self, len: u64) -> Gap {
        let gap = Gap {
            offset: self.delivered,
            len: Some(len),
        };
        self.delivered += len;
        if let Some(next) = self.next_seq.as_mut() {
            #[allow(clippy::cast_possible_truncation)]
            let step = len as u32; // modulo 2^32, as sequence numbers are
            *next = next.wrapping_add(step);
        }
        gap
    }

    /// Payload bytes waiting behind a hole.
    #[must_use]
    pub fn queued_bytes(&self) -> usize {
        self.queued
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// Feeds segments, returns the delivered bytes in order and the gaps.
    fn run(segments: &[(u32, &[u8])]) -> (Vec<u8>, Vec<Gap>) {
        let mut s = Stream::default();
        let mut out = Vec::new();
        let mut gaps = Vec::new();
        s.segment(true, 999, &[], 0);
        for &(seq, payload) in segments {
            if let Accept::Deliver { skip, offset } = s.segment(false, seq, payload, 0) {
                assert_eq!(offset, out.len() as u64);
                out.extend_from_slice(&payload[skip..]);
            }
            while let Some((offset, bytes, _)) = s.pop_ready() {
                assert_eq!(offset, out.len() as u64);
                out.extend_from_slice(&bytes);
            }
        }
        if let Some(g) = s.force_gap() {
            gaps.push(g);
        }
        (out, gaps)
    }

    #[test]
    fn in_order_out_of_order_retransmitted_and_overlapping() {
        let (out, gaps) = run(&[
            (1000, b"abc"),
            (1006, b"ghi"),  // ahead of a hole
            (1003, b"def"),  // fills it
            (1000, b"abc"),  // retransmission
            (1007, b"hijk"), // overlap
        ]);
        assert_eq!(out, b"abcdefghijk");
        assert!(gaps.is_empty());
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut s = Stream::default();
        s.segment(true, u32::MAX - 1, &[], 0);
        assert_eq!(
            s.segment(false, u32::MAX, b"ab", 0),
            Accept::Deliver { skip: 0, offset: 0 }
        );
        assert_eq!(
            s.segment(false, 1, b"cd", 0),
            Accept::Deliver { skip: 0, offset: 2 }
        );
    }

    #[test]
    fn a_hole_is_a_gap_never_glued_over() {
        let (out, gaps) = run(&[(1000, b"abc"), (1010, b"xyz")]);
        assert_eq!(out, b"abc");
        assert_eq!(
            gaps,
            [Gap {
                offset: 3,
                len: Some(7)
            }]
        );
    }

    #[test]
    fn an_ack_past_the_hole_reports_it_at_once() {
        let mut s = Stream::default();
        s.segment(true, 0, &[], 0);
        s.segment(false, 1, b"abc", 0);
        assert_eq!(s.acknowledged(4), None);
        assert_eq!(s.acknowledged(5), None, "an ACK of a FIN");
        assert_eq!(
            s.acknowledged(10),
            Some(Gap {
                offset: 3,
                len: Some(6)
            })
        );
        assert_eq!(
            s.segment(false, 10, b"z", 0),
            Accept::Deliver { skip: 0, offset: 9 }
        );
    }
}
