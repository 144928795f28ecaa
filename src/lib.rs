#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[cfg(test)]
extern crate std;

#[cfg(feature = "arbitrary")]
mod arbitrary;
mod close;
mod config;
mod decoder;
mod encode;
mod error;
mod frame;
#[cfg(feature = "handshake")]
#[cfg_attr(docsrs, doc(cfg(feature = "handshake")))]
pub mod handshake;
mod header;
mod mask;
mod message;
mod reassemble;
mod status;
mod utf8;

#[cfg(feature = "arbitrary")]
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
pub use arbitrary::ArbitraryFrame;
pub use close::{CloseCode, ZeroCloseCode};
pub use config::{Config, Role};
pub use decoder::{Decoder, Event};
pub use encode::{
    encode_close, encode_close_vec, encode_frame, encode_frame_vec, EncodeError, Fragmenter,
};
pub use error::{Error, Layer};
pub use frame::Frame;
pub use header::{FrameHeader, Opcode, PendingHeader};
pub use mask::{unmask, MaskingKey, Unmasker};
pub use message::{MessageValidator, Outcome};
pub use reassemble::{Message, Reassembler};
pub use status::Status;
