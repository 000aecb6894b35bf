"""aiortc's data-channel cost, for steadfast-bench 12 (Benchmarks/SteadfastBench/DataChannelBenchmark.swift).

Two aiortc RTCPeerConnections in one process, connected over loopback UDP (ICE, DTLS, SCTP), one
reliable ordered channel; --count binary messages of --size bytes are sent with at most 1 MiB
buffered, and the run ends when the last one arrives. Prints one JSON line: messages per second
(wall) and CPU seconds per message for both ends together (the same accounting as ours).
"""
import argparse
import asyncio
import json
import time

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, required=True)
parser.add_argument("--size", type=int, required=True)
args = parser.parse_args()
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


async def main():
    sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    channel = sender.createDataChannel("bench")
    done = asyncio.Event()
    received = 0

    @receiver.on("datachannel")
    def on_channel(remote):
        @remote.on("message")
        def on_message(message):
            nonlocal received
            received += 1
            if received == args.count:
                done.set()

    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    opened = asyncio.Event()
    channel.on("open", opened.set)
    await asyncio.wait_for(opened.wait(), 30)

    payload = bytes([0x5A]) * args.size
    channel.bufferedAmountLowThreshold = 1 << 19
    low = asyncio.Event()
    channel.on("bufferedamountlow", low.set)
    wall, cpu = time.monotonic(), time.process_time()
    sent = 0
    while sent < args.count:
        while sent < args.count and channel.bufferedAmount < (1 << 20):
            channel.send(payload)
            sent += 1
        if sent < args.count:
            low.clear()
            await low.wait()  # back-pressure without spinning (the spin would count as CPU)
    await asyncio.wait_for(done.wait(), 600)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    print(json.dumps({"messagesPerSecond": args.count / wall, "cpuSecondsPerMessage": cpu / args.count}), flush=True)
    await sender.close()
    await receiver.close()


asyncio.run(main())
