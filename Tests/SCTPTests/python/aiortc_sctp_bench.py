"""The SCTP engine benchmark's workload (Tests/SCTPTests/Spike) on aiortc: two aiortc SCTP
transports back to back in one process over an in-memory pipe, one data channel, binary
messages. Prints msg/s and CPU per message, for docs/data-channels.md.

    .venv/bin/python Tests/SCTPTests/python/aiortc_sctp_bench.py
"""

import asyncio
import time

from aiortc.rtcdatachannel import RTCDataChannel, RTCDataChannelParameters
from aiortc.rtcsctptransport import RTCSctpCapabilities, RTCSctpTransport


class Pipe:
    def __init__(self, role):
        self._role = role
        self.state = "connected"
        self._receiver = None
        self.peer = None
        self.inbox = asyncio.Queue()

    def _register_data_receiver(self, receiver):
        self._receiver = receiver

    def _unregister_data_receiver(self, receiver):
        self._receiver = None

    async def _send_data(self, data):
        self.peer.inbox.put_nowait(data)

    async def pump(self):
        while True:
            data = await self.inbox.get()
            if self._receiver is not None:
                await self._receiver._handle_data(data)


async def main():
    a, b = Pipe("client"), Pipe("server")
    a.peer, b.peer = b, a
    sa, sb = RTCSctpTransport(a), RTCSctpTransport(b)
    pumps = [asyncio.ensure_future(a.pump()), asyncio.ensure_future(b.pump())]
    received = asyncio.Queue()

    @sb.on("datachannel")
    def on_channel(channel):
        channel.on("message", lambda message: received.put_nowait(len(message)))

    channel = RTCDataChannel(sa, RTCDataChannelParameters(label="bench"))
    opened = asyncio.Event()
    channel.on("open", opened.set)
    await asyncio.gather(sa.start(RTCSctpCapabilities(maxMessageSize=1 << 20), 5000),
                         sb.start(RTCSctpCapabilities(maxMessageSize=1 << 20), 5000))
    await asyncio.wait_for(opened.wait(), 10)

    async def run(count, size):
        payload = bytes(size)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            channel.send(payload)
            while channel.bufferedAmount > 1 << 20:
                await asyncio.sleep(0)
        for _ in range(count):
            await received.get()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{count:6d} x {size:7d} B: {count / wall:8.0f} msg/s  {cpu / count * 1e6:8.2f} us CPU/msg  "
              f"({count * size / wall / 1e6:.1f} MB/s)", flush=True)

    await run(1000, 100)
    await run(10000, 100)
    await run(10000, 1000)
    await run(1, 256 * 1024)
    await run(20, 256 * 1024)


asyncio.run(main())
