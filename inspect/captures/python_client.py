"""A Python `websockets` client for record.sh: text, binary, a ping, then
Close 1000 "done". Usage: python3 python_client.py ws://127.0.0.1:39417/"""
import asyncio
import sys

import websockets


async def main(url):
    # compression=None: the echo server does not negotiate permessage-deflate.
    async with websockets.connect(url, compression=None) as ws:
        await ws.send("Hello from Python websockets ✓")
        print(await ws.recv())
        await ws.send(bytes(range(200)))
        print(len(await ws.recv()))
        pong = await ws.ping(b"py")
        await pong
        await ws.close(1000, "done")


asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "ws://127.0.0.1:39417/"))
