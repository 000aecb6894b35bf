"""Steadfast's aiortc interop peer, driven over JSON lines on stdin/stdout.

The same signalling protocol as `steadfast rtc peer`:
  offer role : prints {"type":"offer","sdp":...}, then reads {"type":"answer","sdp":...}
  answer role: reads {"type":"offer",...}, then prints {"type":"answer",...}
  at the end : prints {"type":"stats",...}. Logs go to stderr.
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

    if args.send:
        pc.addTrack(MediaPlayer(args.send).audio)
    elif args.role == "offer":
        pc.addTransceiver("audio", direction="recvonly")

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
    await asyncio.sleep(args.duration)
    stats = {}
    for report in (await pc.getStats()).values():
        for key in ("packetsReceived", "packetsLost", "packetsSent", "bytesReceived", "bytesSent"):
            if hasattr(report, key):
                stats[f"{report.type}.{key}"] = getattr(report, key)
    connected = "pc_connected" in marks
    await recorder.stop()
    await pc.close()
    emit({"type": "stats", "stats": {**stats, "marks": marks, "connected": connected}})


asyncio.run(main())
