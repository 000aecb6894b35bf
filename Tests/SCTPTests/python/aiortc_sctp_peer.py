"""aiortc's SCTP (rtcsctptransport.py, an independent implementation) as a test peer for
Steadfast's SCTPAssociation, without DTLS: each UDP datagram carries one SCTP packet, the way
each DTLS record does over RFC 8261. aiortc echoes every data-channel message back unchanged,
opens a channel of its own ("from-aiortc") and says hello on it, and exits after the Swift side
closes its channel (or after --timeout). The last stdout line is a JSON summary.

    python aiortc_sctp_peer.py --port SWIFT_UDP_PORT --role server|client [--loss 0.1 --seed 1]
"""

import argparse
import asyncio
import json
import random
import socket
import sys

from aiortc.rtcdatachannel import RTCDataChannel, RTCDataChannelParameters
from aiortc.rtcsctptransport import RTCSctpCapabilities, RTCSctpTransport


class FakeDtls:
    """The three things RTCSctpTransport uses of RTCDtlsTransport: role, state, a datagram pipe."""

    def __init__(self, role, transport, peer, loss, rng):
        self._role = role
        self.state = "connected"
        self._receiver = None
        self._transport = transport
        self._peer = peer
        self._loss = loss
        self._rng = rng

    def _register_data_receiver(self, receiver):
        self._receiver = receiver

    def _unregister_data_receiver(self, receiver):
        self._receiver = None

    async def _send_data(self, data):
        if self._loss and self._rng.random() < self._loss:
            return
        self._transport.sendto(data, self._peer)


class Inbox(asyncio.DatagramProtocol):
    def __init__(self, queue):
        self.queue = queue

    def datagram_received(self, data, addr):
        self.queue.put_nowait(data)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--role", choices=["server", "client"], required=True)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=lambda value: float(value.rstrip("s")), default=120.0)
    args = parser.parse_args()

    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()
    transport, _ = await loop.create_datagram_endpoint(lambda: Inbox(queue), local_addr=("127.0.0.1", 0))
    dtls = FakeDtls(args.role, transport, ("127.0.0.1", args.port), args.loss, random.Random(args.seed))
    sctp = RTCSctpTransport(dtls)
    done = asyncio.Event()
    stats = {"channels": [], "echoed": 0, "echoedBytes": 0, "closed": []}

    @sctp.on("datachannel")
    def on_datachannel(channel):
        stats["channels"].append({"label": channel.label, "id": channel.id, "ordered": channel.ordered,
                                  "maxRetransmits": channel.maxRetransmits})

        @channel.on("message")
        def on_message(message):
            stats["echoed"] += 1
            stats["echoedBytes"] += len(message)
            channel.send(message)

        @channel.on("close")
        def on_close():
            stats["closed"].append(channel.label)
            done.set()

    ours = RTCDataChannel(sctp, RTCDataChannelParameters(label="from-aiortc"))

    @ours.on("open")
    def on_open():
        ours.send("hello from aiortc")

    async def pump():
        while True:
            data = await queue.get()
            if dtls._receiver is not None:
                await dtls._receiver._handle_data(data)

    pumping = asyncio.ensure_future(pump())
    await sctp.start(RTCSctpCapabilities(maxMessageSize=1024 * 1024), 5000)
    try:
        await asyncio.wait_for(done.wait(), args.timeout)
    except asyncio.TimeoutError:
        stats["timeout"] = True
    stats["associationState"] = str(sctp._association_state)
    print(json.dumps(stats), flush=True)
    if not stats.get("timeout"):
        # Keep answering for a while: our response to the peer's reset may be lost and asked for
        # again (the test stops us when it is done).
        await asyncio.sleep(10)
    pumping.cancel()
    transport.close()


if __name__ == "__main__":
    asyncio.run(main())
