"""A scripted LiveKit /rtc endpoint with aiortc as the media side, for Steadfast's room-client test.

Signalling is LiveKit's: binary protobuf SignalRequest/SignalResponse frames from the official
`livekit-protocol` package, the access token checked by the official `livekit-api` verifier. The
media side is aiortc (an independent WebRTC implementation) standing in for the SFU:

  - JoinResponse (room "demo", the client as PA_agent, a caller PA_caller with one audio track),
  - add_track -> TrackPublishedResponse, the client's publisher offer -> aiortc's answer
    (aiortc records what the client publishes),
  - a subscriber offer from aiortc that plays --send (the caller's audio) -> the client's answer,
  - trickle is not needed: both sides put their host candidates in the SDP.

With --dispatch it also serves /agent like a LiveKit server: the first worker that registers is
offered job AJ_room for room "demo"; when it accepts, the server mints the job's room token with
`livekit-api` (as LiveKit does) and assigns the job; the worker's job statuses are recorded.

Both media directions are timed on the server's clock (seconds since it started): `caller_audio_started`
is when the first frame of --send left, `agent_audio` is [arrival time, RMS, seconds] per frame the client sent, so
a test can tell what the agent said before and after the caller spoke.

Prints {"port": N}, then after --duration seconds of media {"result": {...}} and exits.
Usage: livekit_room_server.py API_KEY API_SECRET --send caller.wav --record heard.wav [--duration S] [--dispatch]
"""
import argparse
import array
import asyncio
import json
import math
import sys
import time

import aioice.ice
from aiohttp import WSMsgType, web
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer, MediaRecorder
from livekit import api
from livekit.protocol import models, rtc

parser = argparse.ArgumentParser()
parser.add_argument("api_key")
parser.add_argument("api_secret")
parser.add_argument("--send", required=True)
parser.add_argument("--record", required=True)
parser.add_argument("--duration", type=float, default=6.0)
parser.add_argument("--dispatch", action="store_true", help="also serve /agent and dispatch one job")
args = parser.parse_args()

# aioice skips loopback addresses; the test runs on 127.0.0.1 only.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

START = time.monotonic()
result = {"token_identity": None, "query": {}, "add_track": None, "publisher_offer_msid_ok": False,
          "publisher_state": None, "subscriber_state": None, "answer_id": None, "leave": False, "errors": [],
          "worker": None, "job_updates": [], "agent_states": [], "caller_audio_started": None, "agent_audio": []}
finished = asyncio.Event()
reported = asyncio.Event()
job_ended = asyncio.Event()


def log(*parts):
    print(f"[sfu {1000 * (time.monotonic() - START):8.1f}ms]", *parts, file=sys.stderr, flush=True)


class TimedTrack(MediaStreamTrack):
    """Passes `track`'s frames through unchanged, calling `note(frame)` as each one passes."""

    def __init__(self, track, note):
        super().__init__()
        self.kind = track.kind
        self._track = track
        self._note = note

    async def recv(self):
        frame = await self._track.recv()
        self._note(frame)
        return frame

    def stop(self):
        super().stop()
        self._track.stop()


def note_agent_frame(frame):
    # aiortc decodes Opus to packed s16; the plane may be padded past the last sample.
    count = frame.samples * len(frame.layout.channels)
    samples = array.array("h", bytes(frame.planes[0])[:2 * count])
    rms = math.sqrt(sum(sample * sample for sample in samples) / max(1, len(samples)))
    seconds = frame.samples / frame.sample_rate
    result["agent_audio"].append([round(time.monotonic() - START, 3), round(rms), seconds])


def note_caller_frame(frame):
    if result["caller_audio_started"] is None:
        result["caller_audio_started"] = round(time.monotonic() - START, 3)


def response(**fields):
    return rtc.SignalResponse(**fields).SerializeToString()


async def handle(request):
    token = request.query.get("access_token") or request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        claims = api.TokenVerifier(args.api_key, args.api_secret).verify(token)
        if not claims.video or not claims.video.room_join or claims.video.room != "demo":
            raise ValueError("the token does not grant joining room demo")
    except Exception as error:
        result["errors"].append(f"token: {error}")
        return web.Response(status=401, text=str(error))
    result["token_identity"] = claims.identity
    result["query"] = dict(request.query)
    result["query"].pop("access_token", None)
    ws = web.WebSocketResponse()
    await ws.prepare(request)

    caller_track = models.TrackInfo(sid="TR_caller", type=models.TrackType.AUDIO, name="microphone",
                                    source=models.TrackSource.MICROPHONE)
    caller = models.ParticipantInfo(sid="PA_caller", identity="caller", state=models.ParticipantInfo.ACTIVE,
                                    tracks=[caller_track], version=1)
    me = models.ParticipantInfo(sid="PA_agent", identity=claims.identity, state=models.ParticipantInfo.JOINED)
    await ws.send_bytes(response(join=rtc.JoinResponse(
        room=models.Room(sid="RM_demo", name="demo"), participant=me, other_participants=[caller],
        subscriber_primary=False, ping_interval=5, ping_timeout=15,
        server_info=models.ServerInfo(version="scripted-sfu-1.0", protocol=2))))

    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    subscriber = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    recorder = MediaRecorder(args.record)
    publisher.on("connectionstatechange", lambda: result.__setitem__("publisher_state", publisher.connectionState))
    subscriber.on("connectionstatechange", lambda: result.__setitem__("subscriber_state", subscriber.connectionState))

    @publisher.on("track")
    def on_track(track):
        log("publisher track", track.kind)
        recorder.addTrack(TimedTrack(track, note_agent_frame))

    async def offer_subscriber():
        subscriber.addTrack(TimedTrack(MediaPlayer(args.send).audio, note_caller_frame))
        await subscriber.setLocalDescription(await subscriber.createOffer())
        mids = {t.mid: "TR_caller" for t in subscriber.getTransceivers()}
        await ws.send_bytes(response(offer=rtc.SessionDescription(
            type="offer", sdp=subscriber.localDescription.sdp, id=1, mid_to_track_id=mids)))
        log("sent the subscriber offer")

    asyncio.ensure_future(offer_subscriber())
    media_deadline = None
    async for frame in ws:
        if frame.type != WSMsgType.BINARY:
            result["errors"].append(f"a non-binary frame ({frame.type})")
            continue
        message = rtc.SignalRequest.FromString(frame.data)
        kind = message.WhichOneof("message")
        if kind == "add_track":
            add = message.add_track
            result["add_track"] = {"cid": add.cid, "type": add.type, "source": add.source, "disable_red": add.disable_red}
            await ws.send_bytes(response(track_published=rtc.TrackPublishedResponse(
                cid=add.cid, track=models.TrackInfo(sid="TR_agent", type=add.type, name=add.name, source=add.source))))
        elif kind == "offer":
            result["publisher_offer_msid_ok"] = (result["add_track"] or {}).get("cid", "?") in message.offer.sdp
            await publisher.setRemoteDescription(RTCSessionDescription(message.offer.sdp, "offer"))
            await publisher.setLocalDescription(await publisher.createAnswer())
            await recorder.start()
            await ws.send_bytes(response(answer=rtc.SessionDescription(
                type="answer", sdp=publisher.localDescription.sdp, id=message.offer.id)))
            log("answered the publisher offer")
            media_deadline = asyncio.get_running_loop().call_later(args.duration, finished.set)
        elif kind == "answer":
            result["answer_id"] = message.answer.id
            await subscriber.setRemoteDescription(RTCSessionDescription(message.answer.sdp, "answer"))
            log("applied the subscriber answer")
        elif kind == "ping_req":
            await ws.send_bytes(response(pong_resp=rtc.Pong(last_ping_timestamp=message.ping_req.timestamp,
                                                            timestamp=int(time.time() * 1000))))
        elif kind == "update_metadata":
            state = message.update_metadata.attributes.get("lk.agent.state")
            if state and (not result["agent_states"] or result["agent_states"][-1] != state):
                result["agent_states"].append(state)
        elif kind == "leave":
            result["leave"] = True
            break
        if finished.is_set():
            break
    if media_deadline:
        media_deadline.cancel()
    stats = {}
    for name, pc in (("publisher", publisher), ("subscriber", subscriber)):
        for report in (await pc.getStats()).values():
            for key in ("packetsReceived", "packetsSent"):
                if hasattr(report, key):
                    stats[f"{name}.{report.type}.{key}"] = getattr(report, key)
    result["stats"] = stats
    await recorder.stop()
    await publisher.close()
    await subscriber.close()
    reported.set()
    return ws


async def dispatch(request):
    """/agent: register the worker, offer it one job, assign it with a room token, record its statuses."""
    from livekit.protocol import agent
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        claims = api.TokenVerifier(args.api_key, args.api_secret).verify(token)
        if not claims.video or not claims.video.agent:
            raise ValueError("the worker token lacks video.agent")
    except Exception as error:
        result["errors"].append(f"worker token: {error}")
        return web.Response(status=401, text=str(error))
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    job = agent.Job(id="AJ_room", type=agent.JobType.JT_ROOM, room=models.Room(sid="RM_demo", name="demo"))
    async for frame in ws:
        if frame.type != WSMsgType.BINARY:
            continue
        message = agent.WorkerMessage.FromString(frame.data)
        kind = message.WhichOneof("message")
        if kind == "register":
            result["worker"] = {"agent_name": message.register.agent_name}
            await ws.send_bytes(agent.ServerMessage(register=agent.RegisterWorkerResponse(
                worker_id="AW_room", server_info=models.ServerInfo(version="scripted-sfu-1.0"))).SerializeToString())
            await ws.send_bytes(agent.ServerMessage(availability=agent.AvailabilityRequest(job=job)).SerializeToString())
        elif kind == "availability" and message.availability.available:
            # What LiveKit's BuildAgentToken grants an agent for its job.
            room_token = (api.AccessToken(args.api_key, args.api_secret)
                          .with_identity(message.availability.participant_identity)
                          .with_name(message.availability.participant_name)
                          .with_kind("agent")
                          .with_grants(api.VideoGrants(room_join=True, room="demo", agent=True, can_publish=True,
                                                       can_subscribe=True, can_publish_data=True))
                          .to_jwt())
            await ws.send_bytes(agent.ServerMessage(assignment=agent.JobAssignment(
                job=job, token=room_token)).SerializeToString())
        elif kind == "update_job":
            result["job_updates"].append(agent.JobStatus.Name(message.update_job.status))
            if message.update_job.status in (agent.JobStatus.JS_SUCCESS, agent.JobStatus.JS_FAILED):
                result["job_error"] = message.update_job.error
                job_ended.set()
    return ws


async def main():
    app = web.Application()
    app.router.add_get("/rtc", handle)
    if args.dispatch:
        app.router.add_get("/agent", dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"port": site._server.sockets[0].getsockname()[1]}), flush=True)
    try:
        await asyncio.wait_for(reported.wait(), timeout=args.duration + 40)
        if args.dispatch:
            await asyncio.wait_for(job_ended.wait(), timeout=15)
    except asyncio.TimeoutError:
        result["errors"].append("timed out")
    await asyncio.sleep(0.5)
    print(json.dumps({"result": result}), flush=True)
    await runner.cleanup()


asyncio.run(main())
