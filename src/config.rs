//! `Config` and `Role`: what the parser accepts.

/// Which end of the connection this endpoint is; decides the masking rule
/// (RFC 6455 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Role {
    /// A server: every incoming frame must be masked.
    Server,
    /// A client: no incoming frame may be masked.
    Client,
    /// A proxy or an inspector that sees both directions: no mask rule.
    Any,
}

/// What the parser accepts: the role, the size limits, the RSV bits that a
/// negotiated extension allows, and whether lengths must use their minimal
/// encoding.
///
/// Built with `const fn`s, so it can be a `const`:
///
/// ```
/// use wsframe::{Config, Role};
///
/// const CONFIG: Config = Config::server()
///     .with_max_frame_payload(4096)
///     .with_max_message_len(16 * 1024);
/// assert_eq!(CONFIG.role(), Role::Server);
/// assert_eq!(CONFIG.max_frame_payload(), 4096);
/// ```
///
/// # Defaults
///
/// Chosen to be safe on a microcontroller: a frame payload and a message are
/// each limited to [`Config::DEFAULT_MAX_FRAME_PAYLOAD`] and
/// [`Config::DEFAULT_MAX_MESSAGE_LEN`] (64 KiB), no RSV bit is allowed, and
/// the minimal length encoding is required, as RFC 6455 §5.2 says it MUST be.
/// Raise the limits for hosts that expect large payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    role: Role,
    allowed_rsv: u8,
    strict_length: bool,
    max_frame_payload: u64,
    max_message_len: u64,
}

impl Config {
    /// Default limit on one frame's payload: 64 KiB.
    pub const DEFAULT_MAX_FRAME_PAYLOAD: u64 = 64 * 1024;
    /// Default limit on one message (all its fragments together): 64 KiB.
    pub const DEFAULT_MAX_MESSAGE_LEN: u64 = 64 * 1024;
    /// RSV1, as a bit of [`Config::allowed_rsv`] and of
    /// [`FrameHeader::rsv`](crate::FrameHeader::rsv): permessage-deflate's "compressed" bit.
    pub const RSV1: u8 = 0b100;
    /// RSV2, as a bit of [`Config::allowed_rsv`].
    pub const RSV2: u8 = 0b010;
    /// RSV3, as a bit of [`Config::allowed_rsv`].
    pub const RSV3: u8 = 0b001;

    /// The defaults for `role`.
    ///
    /// ```
    /// let c = wsframe::Config::new(wsframe::Role::Any);
    /// assert!(c.strict_length());
    /// ```
    #[must_use]
    pub const fn new(role: Role) -> Self {
        Config {
            role,
            allowed_rsv: 0,
            strict_length: true,
            max_frame_payload: Self::DEFAULT_MAX_FRAME_PAYLOAD,
            max_message_len: Self::DEFAULT_MAX_MESSAGE_LEN,
        }
    }

    /// The defaults for a server, which receives masked frames.
    ///
    /// ```
    /// assert_eq!(wsframe::Config::server().role(), wsframe::Role::Server);
    /// ```
    #[must_use]
    pub const fn server() -> Self {
        Self::new(Role::Server)
    }

    /// The defaults for a client, which receives unmasked frames.
    ///
    /// ```
    /// assert_eq!(wsframe::Config::client().role(), wsframe::Role::Client);
    /// ```
    #[must_use]
    pub const fn client() -> Self {
        Self::new(Role::Client)
    }

    /// Sets the role.
    ///
    /// ```
    /// use wsframe::{Config, Role};
    /// assert_eq!(Config::server().with_role(Role::Any).role(), Role::Any);
    /// ```
    #[must_use]
    pub const fn with_role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    /// Sets the largest accepted frame payload, in bytes. A longer frame is
    /// rejected with [`Error::FrameTooBig`](crate::Error::FrameTooBig) (1009)
    /// as soon as its length field is read.
    ///
    /// ```
    /// assert_eq!(wsframe::Config::server().with_max_frame_payload(125).max_frame_payload(), 125);
    /// ```
    #[must_use]
    pub const fn with_max_frame_payload(mut self, bytes: u64) -> Self {
        self.max_frame_payload = bytes;
        self
    }

    /// Sets the largest accepted message (the sum of its fragments'
    /// payloads), in bytes; enforced by the message layer with
    /// [`Error::MessageTooBig`](crate::Error::MessageTooBig) (1009).
    ///
    /// ```
    /// assert_eq!(wsframe::Config::server().with_max_message_len(1).max_message_len(), 1);
    /// ```
    #[must_use]
    pub const fn with_max_message_len(mut self, bytes: u64) -> Self {
        self.max_message_len = bytes;
        self
    }

    /// Sets the RSV bits that a negotiated extension allows, as a 3-bit mask
    /// ([`Config::RSV1`] | [`Config::RSV2`] | [`Config::RSV3`]); higher bits
    /// are ignored. Allowing RSV1 also turns on the permessage-deflate rules of
    /// RFC 7692 §6 in the message layer (RSV1 only on a message's first frame).
    ///
    /// ```
    /// use wsframe::Config;
    /// assert_eq!(Config::server().with_allowed_rsv(Config::RSV1).allowed_rsv(), 0b100);
    /// ```
    #[must_use]
    pub const fn with_allowed_rsv(mut self, bits: u8) -> Self {
        self.allowed_rsv = bits & 0b111;
        self
    }

    /// Whether a length must use its minimal encoding (RFC 6455 §5.2: 0–125 in
    /// 7 bits, up to 65535 in 16 bits). On by default; turn it off only to
    /// accept a known-broken peer.
    ///
    /// ```
    /// assert!(!wsframe::Config::server().with_strict_length(false).strict_length());
    /// ```
    #[must_use]
    pub const fn with_strict_length(mut self, strict: bool) -> Self {
        self.strict_length = strict;
        self
    }

    /// The role.
    #[must_use]
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The largest accepted frame payload, in bytes.
    #[must_use]
    pub const fn max_frame_payload(&self) -> u64 {
        self.max_frame_payload
    }

    /// The largest accepted message, in bytes.
    #[must_use]
    pub const fn max_message_len(&self) -> u64 {
        self.max_message_len
    }

    /// The allowed RSV bits (RSV1 = `0b100`).
    #[must_use]
    pub const fn allowed_rsv(&self) -> u8 {
        self.allowed_rsv
    }

    /// Whether lengths must use their minimal encoding.
    #[must_use]
    pub const fn strict_length(&self) -> bool {
        self.strict_length
    }
}

impl Default for Config {
    /// [`Config::server`].
    fn default() -> Self {
        Config::server()
    }
}
