"""Steadfast's aiortc interop peer, driven over JSON lines on stdin/stdout.

The same signalling protocol as `steadfast rtc peer`:
  offer role : prints {"type":"offer","sdp":...}, then reads {"type":"answer","sdp":...}
  answer role: reads {"type":"offer",...}, then prints {"type":"answer",...}
  at the end : prints {"type":"stats",...}. Logs go to stderr.

--data-test runs the data-channel scenario (RFC 8831) against a peer that echoes (`rtc peer --data-echo`):
  it opens "bulk" (ordered, reliable: 1,000 texts and one 256 KiB binary must come back intact and in
  order), "lossy" (unordered, maxRetransmits 0: 300 texts, most back, none twice), closes "bulk" and
  opens it again (one echo), and answers each text on channels the other side opens with "got: <text>". It prints
  {"type":"result",...} and, with --data-quit, stops right after it.
"""
import argparse
import asyncio
import json
import sys
import time

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole, MediaPlayer, MediaRecorder

parser = argparse.ArgumentParser()
parser.add_argument("--role", choices=["offer", "answer"], required=True)
parser.add_argument("--send", help="WAV file to send as audio")
parser.add_argument("--record", help="WAV file for the received audio")
parser.add_argument("--duration", type=float, default=5.0)
parser.add_argument("--loopback", action="store_true", help="gather 127.0.0.1 host candidates only")
parser.add_argument("--data-test", action="store_true", help="run the data-channel scenario")
parser.add_argument("--wait-remote-channel", action="store_true",
                    help="open our channels only after the other side opened one (so its channel opens first)")
parser.add_argument("--data-quit", action="store_true", help="stop once the data scenario has its result")
args = parser.parse_args()

if args.loopback:
    # aioice skips loopback addresses when it enumerates interfaces; CI sandboxes may only have lo.
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

START = time.monotonic()


def log(*parts):
    print(f"[aiortc {1000 * (time.monotonic() - START):8.1f}ms]", *parts, file=sys.stderr, flush=True)


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def read_message(expected):
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    message = json.loads(line)
    if message.get("type") != expected:
        raise SystemExit(f"expected a {expected} line, got {line!r}")
    return message


BIG = bytes((i * 7 + (i >> 9)) & 0xFF for i in range(262144))


def wait_open(channel):
    opened = asyncio.Event()
    if channel.readyState == "open":
        opened.set()
    channel.on("open", opened.set)
    return asyncio.wait_for(opened.wait(), 15)


async def data_scenario(pc, bulk, remote_opened, remote_echoed):
    result = {}
    try:
        if args.wait_remote_channel:
            await asyncio.wait_for(remote_opened.wait(), 15)
        if bulk is None:
            bulk = pc.createDataChannel("bulk")
        got = []
        complete = asyncio.Event()

        def on_bulk(message):
            got.append(message)
            if len(got) == 1001:
                complete.set()

        bulk.on("message", on_bulk)
        await wait_open(bulk)
        result["bulkStreamID"] = bulk.id
        for index in range(1000):
            bulk.send(f"message {index}")
        bulk.send(BIG)
        try:
            await asyncio.wait_for(complete.wait(), 60)
        except asyncio.TimeoutError:
            pass
        result["bulkReceived"] = len(got)
        result["bulkOrdered"] = got[:1000] == [f"message {index}" for index in range(1000)]
        result["bigIntact"] = len(got) > 1000 and got[1000] == BIG

        lossy = pc.createDataChannel("lossy", ordered=False, maxRetransmits=0)
        lossy_got = []
        lossy.on("message", lossy_got.append)
        await wait_open(lossy)
        for index in range(300):
            lossy.send(f"lossy {index}")
            await asyncio.sleep(0.005)
        await asyncio.sleep(2)
        result["lossySent"] = 300
        result["lossyReceived"] = len(set(lossy_got))
        result["lossyDuplicates"] = len(lossy_got) - len(set(lossy_got))

        closed = asyncio.Event()
        bulk.on("close", closed.set)
        bulk.close()
        await asyncio.wait_for(closed.wait(), 15)
        result["closed"] = True
        again = pc.createDataChannel("bulk")
        echoed = asyncio.Event()
        again.on("message", lambda message: echoed.set() if message == "again" else None)
        await wait_open(again)
        result["reopenStreamID"] = again.id
        again.send("again")
        await asyncio.wait_for(echoed.wait(), 15)
        result["reopenEcho"] = True
    except Exception as error:  # the result says how far it got; the test reports it
        result["error"] = f"{type(error).__name__}: {error}"
    result["remoteEchoed"] = list(remote_echoed)
    emit({"type": "result", **result})


async def main():
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    marks = {}

    def mark(name):
        marks.setdefault(name, round(1000 * (time.monotonic() - START), 1))
        log(name)

    pc.on("iceconnectionstatechange", lambda: mark("ice_" + pc.iceConnectionState))
    pc.on("connectionstatechange", lambda: mark("pc_" + pc.connectionState))
    recorder = MediaRecorder(args.record) if args.record else MediaBlackhole()

    @pc.on("track")
    def on_track(track):
        mark("track_" + track.kind)
        recorder.addTrack(track)

    remote_opened = asyncio.Event()
    remote_echoed = []

    @pc.on("datachannel")
    def on_datachannel(channel):
        mark("datachannel_" + channel.label)
        remote_opened.set()

        def answer(message):
            # Steadfast echoes what it receives, so only its own lines get a reply (no ping-pong).
            if isinstance(message, str) and not message.startswith("got: "):
                remote_echoed.append(message)
                channel.send("got: " + message)

        channel.on("message", answer)

    if args.send:
        pc.addTrack(MediaPlayer(args.send).audio)
    elif args.role == "offer" and not args.data_test:
        pc.addTransceiver("audio", direction="recvonly")
    # An offer carries m=application only when a channel exists before it.
    first_bulk = pc.createDataChannel("bulk") if args.data_test and args.role == "offer" and not args.wait_remote_channel else None

    if args.role == "offer":
        await pc.setLocalDescription(await pc.createOffer())
        emit({"type": "offer", "sdp": pc.localDescription.sdp})
        answer = await read_message("answer")
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
    else:
        offer = await read_message("offer")
        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        emit({"type": "answer", "sdp": pc.localDescription.sdp})
    # MediaRecorder only records tracks added before start(); the track event fires during SRD.
    await recorder.start()
    if args.data_test:
        scenario = asyncio.ensure_future(data_scenario(pc, first_bulk, remote_opened, remote_echoed))
        try:
            await asyncio.wait_for(asyncio.shield(scenario), args.duration)
        except asyncio.TimeoutError:
            pass
        if not scenario.done():
            scenario.cancel()
            emit({"type": "result", "error": "the scenario did not finish in --duration"})
        if not args.data_quit:
            await asyncio.sleep(1)
    else:
        await asyncio.sleep(args.duration)
    stats = {}
    for report in (await pc.getStats()).values():
        for key in ("packetsReceived", "packetsLost", "packetsSent", "bytesReceived", "bytesSent"):
            if hasattr(report, key):
                stats[f"{report.type}.{key}"] = getattr(report, key)
    connected = "pc_connected" in marks
    if args.data_test:
        # Stats first: aiortc's close can hang on a data session the other side already closed.
        emit({"type": "stats", "stats": {**stats, "marks": marks, "connected": connected}})
        try:
            await asyncio.wait_for(pc.close(), 5)
        except asyncio.TimeoutError:
            log("close timed out")
        return
    await recorder.stop()
    await pc.close()
    emit({"type": "stats", "stats": {**stats, "marks": marks, "connected": connected}})


asyncio.run(main())
