//! Writing captures: a pcap writer and TCP segments of a made-up connection
//! (etherparse's `PacketBuilder`), for the tests, the fuzz-style test and the
//! large generated captures of the memory and speed measurements
//! (`examples/gen_capture.rs`).

use std::io::{self, Write};

use etherparse::PacketBuilder;

/// Link types this writer can wrap an IPv4 packet in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Ethernet (1).
    Ethernet,
    /// Linux cooked v1 (113).
    Sll,
    /// Linux cooked v2 (276).
    Sll2,
    /// BSD loopback (0).
    Null,
    /// Raw IP (101).
    Raw,
    /// Any other link type number (the bytes are written as Ethernet).
    Other(u32),
}

impl Link {
    fn number(self) -> u32 {
        match self {
            Link::Ethernet => 1,
            Link::Sll => 113,
            Link::Sll2 => 276,
            Link::Null => 0,
            Link::Raw => 101,
            Link::Other(n) => n,
        }
    }
}

/// A legacy pcap file being written (microsecond timestamps).
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    link: Link,
    /// Packets longer than this are cut (`orig_len` keeps their length).
    pub snaplen: usize,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header.
    ///
    /// # Errors
    /// The writer's.
    pub fn new(mut out: W, link: Link) -> io::Result<Self> {
        out.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
        out.write_all(&2u16.to_le_bytes())?;
        out.write_all(&4u16.to_le_bytes())?;
        out.write_all(&0i32.to_le_bytes())?;
        out.write_all(&0u32.to_le_bytes())?;
        out.write_all(&262_144u32.to_le_bytes())?;
        out.write_all(&link.number().to_le_bytes())?;
        Ok(PcapWriter {
            out,
            link,
            snaplen: 262_144,
        })
    }

    /// Writes one packet record of `data` at `micros` since the epoch.
    ///
    /// # Errors
    /// The writer's.
    pub fn record(&mut self, micros: u64, data: &[u8]) -> io::Result<()> {
        let cap = data.len().min(self.snaplen);
        let len32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let secs = u32::try_from(micros / 1_000_000).unwrap_or(u32::MAX);
        let frac = u32::try_from(micros % 1_000_000).unwrap_or(0);
        self.out.write_all(&secs.to_le_bytes())?;
        self.out.write_all(&frac.to_le_bytes())?;
        self.out.write_all(&len32(cap).to_le_bytes())?;
        self.out.write_all(&len32(data.len()).to_le_bytes())?;
        self.out.write_all(data.get(..cap).unwrap_or(data))
    }

    /// The writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes a TCP segment of `flow` in its link type.
    ///
    /// # Errors
    /// The writer's.
    pub fn segment(&mut self, micros: u64, seg: &SegmentSpec<'_>) -> io::Result<()> {
        let packet = seg.build(self.link);
        self.record(micros, &packet)
    }
}

/// TCP flags of a segment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // the TCP flags
pub struct Flags {
    /// SYN.
    pub syn: bool,
    /// ACK.
    pub ack: bool,
    /// FIN.
    pub fin: bool,
    /// RST.
    pub rst: bool,
}

/// One TCP segment between two IPv4 endpoints.
#[derive(Debug, Clone, Copy)]
pub struct SegmentSpec<'a> {
    /// Source address and port.
    pub src: ([u8; 4], u16),
    /// Destination address and port.
    pub dst: ([u8; 4], u16),
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack_no: u32,
    /// Flags.
    pub flags: Flags,
    /// Payload.
    pub payload: &'a [u8],
}

impl SegmentSpec<'_> {
    /// The packet's bytes in `link`.
    #[must_use]
    pub fn build(&self, link: Link) -> Vec<u8> {
        let ip = PacketBuilder::ipv4(self.src.0, self.dst.0, 64);
        let mut tcp = ip.tcp(self.src.1, self.dst.1, self.seq, 65_535);
        if self.flags.syn {
            tcp = tcp.syn();
        }
        if self.flags.ack {
            tcp = tcp.ack(self.ack_no);
        }
        if self.flags.fin {
            tcp = tcp.fin();
        }
        if self.flags.rst {
            tcp = tcp.rst();
        }
        let mut ip_bytes = Vec::with_capacity(tcp.size(self.payload.len()));
        // Writing to a Vec cannot fail; a payload too long for IPv4 is
        // left out (the callers keep segments under 64 KiB).
        let _ = tcp.write(&mut ip_bytes, self.payload);
        let mut out = Vec::with_capacity(ip_bytes.len() + 20);
        match link {
            Link::Ethernet | Link::Other(_) => {
                out.extend_from_slice(&[0; 12]);
                out.extend_from_slice(&[0x08, 0x00]);
            }
            Link::Sll => {
                // Packet type, ARPHRD_ETHER, address length, address, protocol.
                out.extend_from_slice(&[0, 0, 0, 1, 0, 6]);
                out.extend_from_slice(&[0; 8]);
                out.extend_from_slice(&[0x08, 0x00]);
            }
            Link::Sll2 => {
                // Protocol, reserved, interface index, ARPHRD, type, address length, address.
                out.extend_from_slice(&[0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6]);
                out.extend_from_slice(&[0; 8]);
            }
            Link::Null => out.extend_from_slice(&2u32.to_le_bytes()),
            Link::Raw => {}
        }
        out.extend_from_slice(&ip_bytes);
        out
    }
}

/// A WebSocket frame: `opcode`, FIN, payload, masked with `key` if given.
#[must_use]
pub fn ws_frame(opcode: u8, fin: bool, payload: &[u8], key: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 14);
    out.push(u8::from(fin) << 7 | (opcode & 0x0f));
    let mask = if key.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n @ 0..=125 => out.push(mask | u8::try_from(n).unwrap_or(0)),
        n @ 126..=0xffff => {
            out.push(mask | 0x7e);
            out.extend_from_slice(&u16::try_from(n).unwrap_or(0).to_be_bytes());
        }
        n => {
            out.push(mask | 0x7f);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match key {
        Some(k) => {
            out.extend_from_slice(&k);
            out.extend(payload.iter().zip(k.iter().cycle()).map(|(b, m)| b ^ m));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// A made-up TCP connection: it numbers the segments of both directions.
#[derive(Debug, Clone)]
pub struct Flow {
    /// The client's address and port.
    pub client: ([u8; 4], u16),
    /// The server's.
    pub server: ([u8; 4], u16),
    /// The next sequence number of each direction (0: client → server).
    pub next: [u32; 2],
}

impl Flow {
    /// A flow between 10.0.0.1:`client_port` and 10.0.0.2:`server_port`.
    #[must_use]
    pub fn new(client_port: u16, server_port: u16) -> Self {
        Flow {
            client: ([10, 0, 0, 1], client_port),
            server: ([10, 0, 0, 2], server_port),
            next: [1_000, 4_000_000_000],
        }
    }

    /// The segment `dir` sends next with `payload` (advancing its sequence
    /// number), acknowledging everything the other side sent.
    pub fn send<'a>(&mut self, dir: usize, payload: &'a [u8], flags: Flags) -> SegmentSpec<'a> {
        let (src, dst) = if dir == 0 {
            (self.client, self.server)
        } else {
            (self.server, self.client)
        };
        let seq = self.next[dir & 1];
        let ack_no = self.next[(dir + 1) & 1];
        let used =
            u32::try_from(payload.len()).unwrap_or(0) + u32::from(flags.syn) + u32::from(flags.fin);
        self.next[dir & 1] = seq.wrapping_add(used);
        SegmentSpec {
            src,
            dst,
            seq,
            ack_no,
            flags: Flags {
                ack: flags.ack || !flags.syn || dir == 1,
                ..flags
            },
            payload,
        }
    }
}

/// The client's Upgrade request with the RFC 6455 §1.3 key.
pub const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// The server's 101 for [`REQUEST`].
pub const RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
