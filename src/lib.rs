#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[cfg(any(test, feature = "tokio-util"))]
extern crate std;

#[cfg(feature = "arbitrary")]
mod arbitrary;
#[cfg(feature = "bytes")]
mod bufmut;
mod close;
#[cfg(feature = "tokio-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio-util")))]
pub mod codec;
mod config;
mod copy;
mod encode;
mod error;
mod frame;
#[cfg(feature = "handshake")]
#[cfg_attr(docsrs, doc(cfg(feature = "handshake")))]
pub mod handshake;
mod header;
#[cfg(feature = "embedded-io-async")]
#[cfg_attr(docsrs, doc(cfg(feature = "embedded-io-async")))]
pub mod io_async;
mod mask;
mod message;
mod receiver;
mod status;
mod utf8;

#[cfg(feature = "arbitrary")]
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
pub use arbitrary::ArbitraryFrame;
#[cfg(feature = "bytes")]
#[cfg_attr(docsrs, doc(cfg(feature = "bytes")))]
pub use bufmut::{put_close, put_frame};
pub use close::{CloseCode, ZeroCloseCode};
pub use config::{Config, Role};
pub use encode::{encode_close, encode_frame, Fragmenter};
pub use error::{EncodeError, Error, Layer};
pub use frame::Frame;
pub use header::{FrameHeader, Opcode};
pub use mask::{unmask, KeySource, MaskingKey, Unmasker};
pub use receiver::{Event, Piece, Receiver, State};
pub use status::Status;
