"""A scripted LiveKit /rtc endpoint with aiortc as the media side, for Steadfast's room-client test.

Signalling is LiveKit's: binary protobuf SignalRequest/SignalResponse frames from the official
`livekit-protocol` package, the access token checked by the official `livekit-api` verifier. The
media side is aiortc (an independent WebRTC implementation) standing in for the SFU:

  - JoinResponse (room "demo", the client as PA_agent, a caller PA_caller with one audio track),
    as a protocol-17 server answers: the subscriber connection is primary,
  - at once a subscriber offer from aiortc that plays --send (the caller's audio) and carries the
    server's own `_reliable` and `_lossy` data channels (as livekit-server's does) -> the client's answer,
  - add_track -> TrackPublishedResponse, the client's publisher offer (audio and the client's
    `_reliable`/`_lossy` channels) -> aiortc's answer (aiortc records what the client publishes),
  - trickle is not needed: both sides put their host candidates in the SDP.

The data plane, as the SFU and the caller in one: every DataPacket the client sends on its publisher
channels is recorded (user packets, `lk.transcription` and other text streams reassembled, RPC); the
caller's packets go to the client on the subscriber `_reliable` channel, stamped with
participant_identity "caller" as LiveKit stamps forwarded packets. The caller greets with a user
packet once the channel opens, answers RPC method `caller.echo` (the payload reversed), and with
--chat/--rpc sends a text stream on `lk.chat` and calls an RPC method of the client at given times.

With --dispatch it also serves /agent like a LiveKit server: the first worker that registers is
offered job AJ_room for room "demo"; when it accepts, the server mints the job's room token with
`livekit-api` (as LiveKit does) and assigns the job; the worker's job statuses are recorded.

Both media directions are timed on the server's clock (seconds since it started): `caller_audio_started`
is when the first frame of --send left, `agent_audio` is [arrival time, RMS, seconds] per frame the client sent, so
a test can tell what the agent said before and after the caller spoke.

Prints {"port": N}, then after --duration seconds of media {"result": {...}} and exits.
Usage: livekit_room_server.py API_KEY API_SECRET --send caller.wav --record heard.wav [--duration S] [--dispatch]
       [--chat TEXT --chat-at S] [--rpc METHOD --rpc-at S]   (S: seconds after the publisher answer)
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
import uuid

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
parser.add_argument("--chat", help="text the caller types on lk.chat")
parser.add_argument("--chat-at", type=float, default=1.0)
parser.add_argument("--rpc", help="an RPC method of the client the caller calls")
parser.add_argument("--rpc-payload", default="")
parser.add_argument("--rpc-at", type=float, default=1.0)
args = parser.parse_args()

# aioice skips loopback addresses; the test runs on 127.0.0.1 only.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

START = time.monotonic()
result = {"token_identity": None, "query": {}, "add_track": None, "publisher_offer_msid_ok": False,
          "publisher_state": None, "subscriber_state": None, "answer_id": None, "leave": False, "errors": [],
          "worker": None, "job_updates": [], "agent_states": [], "caller_audio_started": None, "agent_audio": [],
          "attributes": {}, "publisher_channels": [], "subscriber_channels_open": [], "user_packets": [],
          "text_streams": [], "rpc_requests": [], "rpc_ack": None, "rpc_response": None, "chat_sent_at": None,
          "data_errors": []}
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


def now():
    return round(time.monotonic() - START, 3)


class CallerData:
    """The data plane: what the client sends on its publisher channels, and the caller's packets to it."""

    def __init__(self, agent_identity):
        self.agent = agent_identity
        self.to_client = None      # the server's _reliable channel on the subscriber connection
        self.streams = {}          # stream id -> [header, bytearray, chunk count]

    def send(self, **value):
        if self.to_client is None or self.to_client.readyState != "open":
            result["data_errors"].append(f"no open subscriber _reliable channel for {list(value)}")
            return
        packet = models.DataPacket(kind=models.DataPacket.RELIABLE, participant_identity="caller",
                                   destination_identities=[self.agent], **value)
        self.to_client.send(packet.SerializeToString())

    def greet(self):
        self.send(user=models.UserPacket(payload=b"hello from the caller", topic="greetings"))

    def chat(self, text):
        stream_id = str(uuid.uuid4())
        data = text.encode()
        self.send(stream_header=models.DataStream.Header(
            stream_id=stream_id, timestamp=int(time.time() * 1000), topic="lk.chat", mime_type="text/plain",
            total_length=len(data), text_header=models.DataStream.TextHeader()))
        self.send(stream_chunk=models.DataStream.Chunk(stream_id=stream_id, chunk_index=0, content=data))
        self.send(stream_trailer=models.DataStream.Trailer(stream_id=stream_id))
        result["chat_sent_at"] = now()
        log("caller typed on lk.chat:", text)

    def call(self, method, payload):
        self.rpc_id = str(uuid.uuid4())
        result["rpc_called_at"] = now()
        self.send(rpc_request=models.RpcRequest(id=self.rpc_id, method=method, payload=payload,
                                                response_timeout_ms=15000, version=1))

    def received(self, label, message):
        if isinstance(message, str):
            result["data_errors"].append(f"a text message on {label}")
            return
        try:
            packet = models.DataPacket.FromString(message)
        except Exception as error:
            result["data_errors"].append(f"not a DataPacket on {label}: {error}")
            return
        sender = packet.participant_identity or self.agent
        kind = packet.WhichOneof("value")
        if kind == "user":
            result["user_packets"].append({"topic": packet.user.topic, "payload": packet.user.payload.decode(errors="replace"),
                                           "sender": sender, "label": label,
                                           "destinations": list(packet.destination_identities)})
        elif kind == "stream_header":
            self.streams[(sender, packet.stream_header.stream_id)] = [packet.stream_header, bytearray(), 0]
        elif kind == "stream_chunk":
            stream = self.streams.get((sender, packet.stream_chunk.stream_id))
            if stream is None:
                result["data_errors"].append("a chunk of an unknown stream")
            elif packet.stream_chunk.chunk_index != stream[2]:
                result["data_errors"].append(f"chunk {packet.stream_chunk.chunk_index}, expected {stream[2]}")
            else:
                stream[1] += packet.stream_chunk.content
                stream[2] += 1
        elif kind == "stream_trailer":
            stream = self.streams.pop((sender, packet.stream_trailer.stream_id), None)
            if stream is None:
                result["data_errors"].append("a trailer of an unknown stream")
                return
            header, content = stream[0], stream[1]
            attributes = dict(header.attributes)
            attributes.update(packet.stream_trailer.attributes)
            result["text_streams"].append({"topic": header.topic, "sender": sender, "text": content.decode(errors="replace"),
                                           "attributes": attributes, "at": now()})
        elif kind == "rpc_request":
            request = packet.rpc_request
            result["rpc_requests"].append({"method": request.method, "payload": request.payload,
                                           "version": request.version, "timeout_ms": request.response_timeout_ms})
            self.send(rpc_ack=models.RpcAck(request_id=request.id))
            if request.method == "caller.echo":
                self.send(rpc_response=models.RpcResponse(request_id=request.id, payload=request.payload[::-1]))
            else:
                self.send(rpc_response=models.RpcResponse(request_id=request.id, error=models.RpcError(
                    code=1400, message="Method not supported at destination")))
        elif kind == "rpc_ack":
            result["rpc_ack"] = now()
        elif kind == "rpc_response":
            response = packet.rpc_response
            which = response.WhichOneof("value")
            result["rpc_response"] = ({"payload": response.payload} if which == "payload" else
                                      {"error": response.error.code, "message": response.error.message})
            result["rpc_response"]["at"] = now()


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
        subscriber_primary=True, ping_interval=5, ping_timeout=15,
        server_info=models.ServerInfo(version="scripted-sfu-1.0", protocol=17))))

    config = RTCConfiguration(iceServers=[])
    publisher = RTCPeerConnection(config)
    subscriber = RTCPeerConnection(config)
    data = CallerData(claims.identity)

    @publisher.on("datachannel")
    def on_datachannel(channel):
        result["publisher_channels"].append({"label": channel.label, "ordered": channel.ordered,
                                             "max_retransmits": channel.maxRetransmits})
        channel.on("message", lambda message: data.received(channel.label, message))

    # livekit-server's own channels on the subscriber connection (transportmanager.go).
    data.to_client = subscriber.createDataChannel("_reliable")
    lossy = subscriber.createDataChannel("_lossy", ordered=False, maxRetransmits=0)
    for channel in (data.to_client, lossy):
        channel.on("message", lambda message, label=channel.label: data.received(label + "(subscriber)", message))

    @data.to_client.on("open")
    def on_open():
        result["subscriber_channels_open"].append("_reliable")
        data.greet()
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
            loop = asyncio.get_running_loop()
            media_deadline = loop.call_later(args.duration, finished.set)
            if args.chat:
                loop.call_later(args.chat_at, data.chat, args.chat)
            if args.rpc:
                loop.call_later(args.rpc_at, data.call, args.rpc, args.rpc_payload)
        elif kind == "answer":
            result["answer_id"] = message.answer.id
            await subscriber.setRemoteDescription(RTCSessionDescription(message.answer.sdp, "answer"))
            log("applied the subscriber answer")
        elif kind == "ping_req":
            await ws.send_bytes(response(pong_resp=rtc.Pong(last_ping_timestamp=message.ping_req.timestamp,
                                                            timestamp=int(time.time() * 1000))))
        elif kind == "update_metadata":
            result["attributes"].update(message.update_metadata.attributes)
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
