"""A deliberately broken raw-socket WebSocket client for record.sh. Four
connections, each breaking one rule after a good message:

1. an unmasked client frame (RFC 6455 §5.1); the client then answers the
   server's Close with a Close;
2. a reserved opcode 0x3 (§5.2); the client then closes TCP without
   answering;
3. a 1200-byte frame over the server's 1000-byte limit (§10.4);
4. invalid UTF-8 in a text message (§8.1), in the second of two fragments.

Usage: python3 broken_client.py 127.0.0.1 39417"""
import base64
import os
import socket
import struct
import sys
import time


def frame(opcode, payload, fin=True, mask=True):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = bytes([b0, (0x80 if mask else 0) | n])
    elif n < 65536:
        head = bytes([b0, (0x80 if mask else 0) | 126]) + struct.pack("!H", n)
    else:
        head = bytes([b0, (0x80 if mask else 0) | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def connect(host, port):
    s = socket.create_connection((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (
            f"GET /broken HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    return s, head.split(b"\r\n\r\n", 1)[1]


def read_until_closed(s, buf):
    s.settimeout(3)
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return buf
            buf += data
    except socket.timeout:
        return buf


def read_close(s, buf):
    """Reads until a whole server Close frame is in; returns its body."""
    s.settimeout(3)
    while True:
        i = buf.find(b"\x88")
        if i >= 0 and len(buf) >= i + 2 and len(buf) >= i + 2 + (buf[i + 1] & 0x7F):
            return buf[i + 2 : i + 2 + (buf[i + 1] & 0x7F)]
        data = s.recv(65536)
        if not data:
            return b""
        buf += data


def main(host, port):
    # 1: unmasked frame; answer the server's Close.
    s, rest = connect(host, port)
    s.sendall(frame(0x1, b"good"))
    s.sendall(frame(0x1, b"unmasked!", mask=False))
    body = read_close(s, rest)
    s.sendall(frame(0x8, body[:2]))
    read_until_closed(s, b"")
    s.close()
    time.sleep(0.2)

    # 2: reserved opcode; close TCP without answering.
    s, rest = connect(host, port)
    s.sendall(frame(0x1, b"good"))
    s.sendall(frame(0x3, b"reserved"))
    read_close(s, rest)
    s.close()
    time.sleep(0.2)

    # 3: a frame over the server's limit; answer the Close.
    s, rest = connect(host, port)
    s.sendall(frame(0x2, b"\x00" * 1200))
    body = read_close(s, rest)
    s.sendall(frame(0x8, body[:2]))
    read_until_closed(s, b"")
    s.close()
    time.sleep(0.2)

    # 4: bad UTF-8 in the second fragment of a text message.
    s, rest = connect(host, port)
    s.sendall(frame(0x1, "caf".encode(), fin=False))
    s.sendall(frame(0x0, b"\xc3\x28 bad", fin=True))
    body = read_close(s, rest)
    s.sendall(frame(0x8, body[:2]))
    read_until_closed(s, b"")
    s.close()


main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 39417)
