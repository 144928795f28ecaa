//! Reading a capture file, streamed: pcap or pcapng (`pcap-parser`), then
//! the link layer, IP and TCP of each packet (`etherparse`).
//!
//! Only one packet's bytes are held at a time (in `pcap-parser`'s buffer),
//! so a capture of any size is read in bounded memory.

use std::fmt;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};

use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, LinuxSllHeaderSlice, TransportSlice};
use pcap_parser::{Block, Linktype, PcapBlockOwned, PcapError};

/// The reader's buffer: a packet must fit in it (it grows up to
/// [`MAX_BUFFER`] for larger ones).
const BUFFER: usize = 1 << 16;
/// The largest packet record accepted (pcapng blocks included).
const MAX_BUFFER: usize = 64 << 20;

/// Why a capture could not be read (each has its exit code, see `main`).
#[derive(Debug)]
pub enum InputError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The file is empty.
    Empty,
    /// Neither pcap nor pcapng.
    NotACapture,
    /// The file ends inside a packet record (after `packets` packets).
    Truncated {
        /// Packets read before the cut.
        packets: u64,
    },
    /// A record is malformed (after `packets` packets).
    Corrupt {
        /// Packets read before the bad record.
        packets: u64,
        /// What pcap-parser said.
        detail: String,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Io(e) => write!(f, "cannot read the capture: {e}"),
            InputError::Empty => f.write_str("the file is empty: not a pcap or pcapng capture"),
            InputError::NotACapture => f.write_str(
                "not a pcap or pcapng capture (unknown magic number); \
                 for raw bytes of one direction use the `raw` subcommand",
            ),
            InputError::Truncated { packets } => write!(
                f,
                "the capture is truncated: it ends inside a packet record after {packets} packet(s) \
                 (was the capture still being written?)"
            ),
            InputError::Corrupt { packets, detail } => write!(
                f,
                "the capture is corrupt after {packets} packet(s): {detail}"
            ),
        }
    }
}

/// A point in time, nanoseconds since the Unix epoch.
pub type Nanos = i128;

/// One packet record.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// Capture time.
    pub time: Nanos,
    /// The link type of its interface.
    pub linktype: i32,
    /// The bytes captured.
    pub data: &'a [u8],
    /// Its length on the wire (more than `data.len()` if the snap length cut it).
    pub orig_len: u32,
}

/// A TCP segment.
#[allow(clippy::struct_excessive_bools)] // the TCP flags
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// Source address and port.
    pub src: SocketAddr,
    /// Destination address and port.
    pub dst: SocketAddr,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number (when `ack`).
    pub ack_no: u32,
    /// SYN flag.
    pub syn: bool,
    /// ACK flag.
    pub ack: bool,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// The payload bytes captured.
    pub payload: &'a [u8],
    /// Payload bytes the snap length cut off (not in the capture).
    pub cut: u32,
}

/// Why a packet is not a TCP segment this tool can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skip {
    /// The interface's link type is not supported.
    LinkType(i32),
    /// Not IPv4 or IPv6 (ARP, ...).
    NotIp,
    /// IP, but not TCP (UDP, ICMP, ...).
    NotTcp,
    /// An IP fragment (not reassembled).
    Fragment,
    /// The headers are malformed or cut before the TCP header ends.
    Malformed,
}

impl Skip {
    /// A stable key for the summary.
    #[must_use]
    pub fn key(self) -> String {
        match self {
            Skip::LinkType(t) => format!("unsupported link type {t}"),
            Skip::NotIp => "not IP".into(),
            Skip::NotTcp => "not TCP".into(),
            Skip::Fragment => "IP fragment (not reassembled)".into(),
            Skip::Malformed => "malformed or cut before the end of the TCP header".into(),
        }
    }
}

/// The link types this tool decodes.
#[must_use]
pub fn linktype_supported(linktype: i32) -> bool {
    [
        Linktype::NULL,
        Linktype::ETHERNET,
        Linktype::RAW,
        Linktype::LOOP,
        Linktype::LINUX_SLL,
        Linktype::LINUX_SLL2,
        Linktype::IPV4,
        Linktype::IPV6,
    ]
    .iter()
    .any(|t| t.0 == linktype)
}

/// Decodes a packet's link layer, IP and TCP.
///
/// # Errors
/// Why the packet is skipped.
pub fn tcp_segment<'a>(packet: &Packet<'a>) -> Result<Segment<'a>, Skip> {
    let data = packet.data;
    let lax = match Linktype(packet.linktype) {
        Linktype::ETHERNET => LaxSlicedPacket::from_ethernet(data).map_err(|_| Skip::Malformed)?,
        Linktype::LINUX_SLL => {
            let sll = LinuxSllHeaderSlice::from_slice(data).map_err(|_| Skip::Malformed)?;
            let rest = data.get(sll.slice().len()..).unwrap_or(&[]);
            match sll.protocol_type() {
                etherparse::LinuxSllProtocolType::EtherType(t) => {
                    LaxSlicedPacket::from_ether_type(t, rest)
                }
                _ => return Err(Skip::NotIp),
            }
        }
        // SLL2 (etherparse has no parser for it): the protocol type is the
        // first 2 of its 20 bytes.
        Linktype::LINUX_SLL2 => {
            let (Some(proto), Some(rest)) = (data.get(..2), data.get(20..)) else {
                return Err(Skip::Malformed);
            };
            let t = EtherType(u16::from_be_bytes([proto[0], proto[1]]));
            LaxSlicedPacket::from_ether_type(t, rest)
        }
        // BSD loopback: a 4-byte address family (host or network order), then IP.
        Linktype::NULL | Linktype::LOOP => {
            let rest = data.get(4..).ok_or(Skip::Malformed)?;
            LaxSlicedPacket::from_ip(rest).map_err(|_| Skip::NotIp)?
        }
        Linktype::RAW | Linktype::IPV4 | Linktype::IPV6 => {
            LaxSlicedPacket::from_ip(data).map_err(|_| Skip::NotIp)?
        }
        other => return Err(Skip::LinkType(other.0)),
    };
    let (src, dst, incomplete) = match &lax.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            if ip.payload().fragmented {
                return Err(Skip::Fragment);
            }
            let h = ip.header();
            (
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
                ip.payload().incomplete,
            )
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            if ip.payload().fragmented {
                return Err(Skip::Fragment);
            }
            let h = ip.header();
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                ip.payload().incomplete,
            )
        }
        Some(LaxNetSlice::Arp(_)) | None => return Err(Skip::NotIp),
    };
    let tcp = match lax.transport {
        Some(TransportSlice::Tcp(tcp)) => tcp,
        None if lax.stop_err.is_some() => return Err(Skip::Malformed),
        Some(_) | None => return Err(Skip::NotTcp),
    };
    let cut = if incomplete {
        packet
            .orig_len
            .saturating_sub(u32::try_from(data.len()).unwrap_or(u32::MAX))
    } else {
        0
    };
    Ok(Segment {
        src: SocketAddr::new(src, tcp.source_port()),
        dst: SocketAddr::new(dst, tcp.destination_port()),
        seq: tcp.sequence_number(),
        ack_no: tcp.acknowledgment_number(),
        syn: tcp.syn(),
        ack: tcp.ack(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        payload: tcp.payload(),
        cut,
    })
}

/// What [`read_packets`] read.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReadStats {
    /// Packet records.
    pub packets: u64,
    /// Bytes of packet data.
    pub bytes: u64,
}

/// Per-interface timestamp parameters of a pcapng section.
#[derive(Debug, Clone, Copy)]
struct Interface {
    linktype: i32,
    /// Units per second.
    resolution: u64,
    offset_secs: i64,
}

/// Streams every packet of a pcap or pcapng capture to `each`.
///
/// # Errors
/// [`InputError`] when the file is not a capture, or is cut or corrupt
/// (the packets before the fault have been handed to `each`).
#[allow(clippy::too_many_lines)] // one match over the record kinds
pub fn read_packets<R: Read + Send>(
    reader: R,
    mut each: impl FnMut(&Packet<'_>),
) -> Result<ReadStats, InputError> {
    let mut reader = match pcap_parser::create_reader(BUFFER, reader) {
        Ok(r) => r,
        Err(PcapError::Eof) => return Err(InputError::Empty),
        Err(PcapError::ReadError) => {
            return Err(InputError::Io(std::io::Error::other("read failed")))
        }
        Err(PcapError::Incomplete(_) | PcapError::UnexpectedEof) => {
            return Err(InputError::Truncated { packets: 0 })
        }
        Err(_) => return Err(InputError::NotACapture),
    };
    let mut stats = ReadStats::default();
    let mut legacy: Option<(i32, bool)> = None; // link type, nanosecond timestamps
    let mut interfaces: Vec<Interface> = Vec::new();
    let mut size = BUFFER;
    loop {
        match reader.next() {
            Ok((used, block)) => {
                let packet = match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        legacy = Some((h.network.0, h.is_nanosecond_precision()));
                        None
                    }
                    PcapBlockOwned::Legacy(b) => {
                        let (linktype, nanos) = legacy.unwrap_or((Linktype::ETHERNET.0, false));
                        let frac = if nanos {
                            i128::from(b.ts_usec)
                        } else {
                            i128::from(b.ts_usec) * 1000
                        };
                        Some(Packet {
                            time: i128::from(b.ts_sec) * 1_000_000_000 + frac,
                            linktype,
                            data: b.data,
                            orig_len: b.origlen,
                        })
                    }
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => {
                        interfaces.clear();
                        None
                    }
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        interfaces.push(Interface {
                            linktype: idb.linktype.0,
                            resolution: idb.ts_resolution().unwrap_or(1_000_000).max(1),
                            offset_secs: idb.ts_offset(),
                        });
                        None
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        let iface = usize::try_from(epb.if_id)
                            .ok()
                            .and_then(|i| interfaces.get(i))
                            .copied();
                        match iface {
                            Some(i) => {
                                let ts = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                                let res = i128::from(i.resolution);
                                let ts = i128::from(ts);
                                Some(Packet {
                                    time: (ts / res + i128::from(i.offset_secs)) * 1_000_000_000
                                        + (ts % res) * 1_000_000_000 / res,
                                    linktype: i.linktype,
                                    data: epb.data,
                                    orig_len: epb.origlen,
                                })
                            }
                            None => {
                                return Err(InputError::Corrupt {
                                    packets: stats.packets,
                                    detail: format!(
                                        "a packet names interface {} that was never described",
                                        epb.if_id
                                    ),
                                })
                            }
                        }
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                        interfaces.first().map(|i| Packet {
                            time: 0,
                            linktype: i.linktype,
                            data: spb.data,
                            orig_len: spb.origlen,
                        })
                    }
                    PcapBlockOwned::NG(_) => None,
                };
                if let Some(p) = packet {
                    stats.packets += 1;
                    stats.bytes += p.data.len() as u64;
                    each(&p);
                }
                reader.consume(used);
            }
            Err(PcapError::Eof) => return Ok(stats),
            Err(PcapError::Incomplete(_)) => {
                if reader.reader_exhausted() {
                    return Err(InputError::Truncated {
                        packets: stats.packets,
                    });
                }
                reader.refill().map_err(|_| InputError::Truncated {
                    packets: stats.packets,
                })?;
            }
            Err(PcapError::BufferTooSmall) => {
                if size >= MAX_BUFFER || !reader.grow(size * 2) {
                    return Err(InputError::Corrupt {
                        packets: stats.packets,
                        detail: format!(
                            "a record is larger than {} MiB (a corrupt length field?)",
                            MAX_BUFFER >> 20
                        ),
                    });
                }
                size *= 2;
                reader.refill().map_err(|_| InputError::Truncated {
                    packets: stats.packets,
                })?;
            }
            Err(PcapError::UnexpectedEof) => {
                return Err(InputError::Truncated {
                    packets: stats.packets,
                })
            }
            Err(PcapError::ReadError) => {
                return Err(InputError::Io(std::io::Error::other("read failed")))
            }
            Err(e) => {
                return Err(InputError::Corrupt {
                    packets: stats.packets,
                    detail: format!("{e:?}"),
                })
            }
        }
    }
}
