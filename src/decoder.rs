//! `Decoder`: the frame layer over a byte stream that arrives in chunks of any size.

use crate::config::Config;
use crate::error::Error;
use crate::header::{FrameHeader, PendingHeader};
use crate::mask::Unmasker;
use crate::status::Status;

/// What [`Decoder::decode`] found.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event<'a> {
    /// A frame header passed every frame-layer check; its payload follows.
    Header(FrameHeader),
    /// The next bytes of the current frame's payload, unmasked in place in
    /// the caller's buffer.
    Payload(&'a [u8]),
    /// The current frame's payload is complete (follows `Header` directly
    /// for an empty payload).
    FrameEnd,
}

/// Where the decoder is in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum State {
    /// Between frames, or inside a header: `buf[..filled]` holds the header
    /// bytes seen so far.
    Header { filled: u8 },
    /// Inside a payload.
    Payload {
        remaining: u64,
        unmasker: Option<Unmasker>,
    },
    /// After an error: every later call returns it.
    Failed(Error),
}

/// The frame layer as a push decoder: feed it the stream in chunks of any
/// size, and it hands out headers and unmasked payload pieces, zero-copy,
/// with a 14-byte internal buffer for a header split across chunks.
///
/// The same bytes split at any points give the same events (payload pieces
/// split where the chunks are) and the same error. The first error is
/// terminal: every later call returns it until [`Decoder::reset`], so
/// payload bytes are never read as a header.
///
/// ```
/// use wsframe::{Config, Decoder, Event};
///
/// // RFC 6455 §5.7 masked "Hello", arriving 4 bytes at a time through a
/// // small buffer.
/// let wire = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let mut decoder = Decoder::new(Config::server());
/// let mut text = Vec::new();
/// for piece in wire.chunks(4) {
///     let mut chunk = [0u8; 4];
///     let chunk = &mut chunk[..piece.len()];
///     chunk.copy_from_slice(piece);
///     let mut at = 0;
///     while let (used, Some(event)) = decoder.decode(&mut chunk[at..])? {
///         at += used;
///         if let Event::Payload(bytes) = event {
///             text.extend_from_slice(bytes);
///         }
///     }
/// }
/// assert_eq!(text, b"Hello");
/// assert_eq!(decoder.needed(), 0); // at a frame boundary
/// # Ok::<(), wsframe::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Decoder {
    config: Config,
    state: State,
    buf: [u8; FrameHeader::MAX_LEN],
}

impl Decoder {
    /// A decoder at the start of a stream.
    #[must_use]
    pub const fn new(config: Config) -> Self {
        Decoder {
            config,
            state: State::Header { filled: 0 },
            buf: [0; FrameHeader::MAX_LEN],
        }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Back to the start of a stream, forgetting any error.
    pub fn reset(&mut self) {
        self.state = State::Header { filled: 0 };
    }

    /// The bytes still needed to finish the current header or payload: 0 at a
    /// frame boundary (and after an error). While a header is incomplete, the
    /// count of its missing bytes as far as they are known.
    #[must_use]
    pub fn needed(&self) -> u64 {
        match self.state {
            State::Header { filled: 0 } | State::Failed(_) => 0,
            State::Header { filled } => {
                let seen = self.buf.get(..usize::from(filled)).unwrap_or(&[]);
                match FrameHeader::parse(seen, &self.config) {
                    Ok(Status::Partial { needed }) => needed.get() as u64,
                    _ => 0,
                }
            }
            State::Payload { remaining, .. } => remaining,
        }
    }

    /// The header being read, once all of it but the masking key is in
    /// (only a masked frame's header can be pending): its fields, having
    /// passed every frame-layer rule (the key carries none). `None` at a
    /// frame boundary, before the length field is complete, inside a payload
    /// and after an error.
    ///
    /// Hand it to [`MessageValidator::check_header`](crate::MessageValidator::check_header)
    /// when [`Decoder::decode`] has used up a chunk, so that the message
    /// rules of a header (a message over its limit: 1009; a continuation
    /// without a message: 1002) are judged as soon as its length field is
    /// read, like the frame rules, not 4 bytes later when the key is in.
    ///
    /// ```
    /// use wsframe::{Config, Decoder, Error, Opcode};
    ///
    /// // A masked Binary frame announcing 300 bytes, cut before its masking key.
    /// let mut chunk = [0x82, 0xFE, 0x01, 0x2C, 0x11];
    /// let mut decoder = Decoder::new(Config::server());
    /// assert_eq!(decoder.decode(&mut chunk)?, (5, None));
    /// let header = decoder.pending_header().unwrap();
    /// assert_eq!((header.opcode(), header.payload_len()), (Opcode::Binary, 300));
    /// # Ok::<(), Error>(())
    /// ```
    #[must_use]
    pub fn pending_header(&self) -> Option<PendingHeader> {
        match self.state {
            State::Header { filled } => {
                FrameHeader::parse_pending(&self.buf, usize::from(filled), &self.config)
            }
            _ => None,
        }
    }

    /// Decodes from the start of `input`: returns the bytes consumed and at
    /// most one event. `(n, None)` means `input` was used up (all `n` bytes
    /// are held in the decoder) and more input is needed. Call again with the
    /// rest of `input` until it returns `None`.
    ///
    /// Payload bytes are unmasked in place in `input`.
    ///
    /// # Errors
    /// Those of [`FrameHeader::parse`], as soon as the bytes that show them
    /// are fed; after that, the same error on every call until [`Decoder::reset`].
    pub fn decode<'a>(&mut self, input: &'a mut [u8]) -> Result<(usize, Option<Event<'a>>), Error> {
        match self.state {
            State::Failed(e) => Err(e),
            State::Header { filled } => self.decode_header(input, usize::from(filled)),
            State::Payload {
                remaining: 0,
                unmasker: _,
            } => {
                self.state = State::Header { filled: 0 };
                Ok((0, Some(Event::FrameEnd)))
            }
            State::Payload {
                remaining,
                mut unmasker,
            } => {
                if input.is_empty() {
                    return Ok((0, None));
                }
                let take = usize::try_from(remaining).map_or(input.len(), |r| r.min(input.len()));
                let Some(chunk) = input.get_mut(..take) else {
                    return Ok((0, None));
                };
                if let Some(unmasker) = unmasker.as_mut() {
                    unmasker.apply(chunk);
                }
                self.state = State::Payload {
                    remaining: remaining - take as u64,
                    unmasker,
                };
                Ok((take, Some(Event::Payload(&*chunk))))
            }
        }
    }

    fn decode_header<'a>(
        &mut self,
        input: &'a mut [u8],
        filled: usize,
    ) -> Result<(usize, Option<Event<'a>>), Error> {
        // Fast path: the whole header is usually in `input`. Otherwise the
        // header so far is in `buf`: append as much of `input` as fits (a
        // header is at most 14 bytes) and parse that.
        let copied = if filled == 0 {
            0
        } else {
            let free = self.buf.get_mut(filled..).unwrap_or(&mut []);
            let n = free.len().min(input.len());
            for (d, s) in free.iter_mut().zip(input.iter()) {
                *d = *s;
            }
            n
        };
        let parsed = if filled == 0 {
            FrameHeader::parse(input, &self.config)
        } else {
            FrameHeader::parse(self.buf.get(..filled + copied).unwrap_or(&[]), &self.config)
        };
        match parsed {
            Err(e) => {
                self.state = State::Failed(e);
                Err(e)
            }
            Ok(Status::Partial { .. }) => {
                // Fewer than 14 bytes seen in all: keep them.
                let copied = if filled == 0 {
                    let n = self.buf.len().min(input.len());
                    for (d, s) in self.buf.iter_mut().zip(input.iter()) {
                        *d = *s;
                    }
                    n
                } else {
                    copied
                };
                self.state = State::Header {
                    filled: u8::try_from(filled + copied).unwrap_or(0),
                };
                Ok((copied, None))
            }
            Ok(Status::Complete((header, header_len))) => {
                self.state = State::Payload {
                    remaining: header.payload_len(),
                    unmasker: header.masking_key().map(Unmasker::new),
                };
                // `header_len` > `filled`: the bytes in `buf` alone were Partial.
                Ok((
                    header_len.saturating_sub(filled),
                    Some(Event::Header(header)),
                ))
            }
        }
    }
}
