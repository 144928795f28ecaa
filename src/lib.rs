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
mod copy;
mod encode;
mod error;
mod frame;
#[cfg(feature = "handshake")]
#[cfg_attr(docsrs, doc(cfg(feature = "handshake")))]
pub mod handshake;
mod header;
mod mask;
mod message;
mod receiver;
mod status;
mod utf8;

#[cfg(feature = "arbitrary")]
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
pub use arbitrary::ArbitraryFrame;
pub use close::{CloseCode, ZeroCloseCode};
pub use config::{Config, Role};
pub use encode::{encode_close, encode_frame, Fragmenter};
pub use error::{EncodeError, Error, Layer};
pub use frame::Frame;
pub use header::{FrameHeader, Opcode};
pub use mask::{unmask, MaskingKey, Unmasker};
pub use receiver::{Event, Piece, Receiver, State};
pub use status::Status;
