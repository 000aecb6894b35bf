"""Cross-checks Steadfast's generated Swift protobufs against the official livekit-protocol package.

Usage: protocol_interop.py SCENARIO   (stdin: base64 of the message as Swift encoded it)

Builds SCENARIO independently with the official Python classes, then prints one JSON object:
  match        Swift's bytes parse to a message equal to Python's (and re-serialize identically)
  diff         a readable difference when they don't
  python_b64   Python's binary encoding, for Swift to decode and compare in turn
  python_json  Python's protojson (MessageToJson), for Swift to decode and compare
"""
import base64
import json
import sys

from google.protobuf import json_format, text_format
from livekit.protocol import agent, models, rtc

SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
CANDIDATE = json.dumps({"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
                        "sdpMid": "0", "sdpMLineIndex": 0})


def track(sid="TR_AMic1", name="microphone"):
    return models.TrackInfo(sid=sid, type=models.AUDIO, name=name, source=models.TrackSource.MICROPHONE,
                            mime_type="audio/opus", mid="1", stereo=False, disable_red=True,
                            audio_features=[models.TF_AUTO_GAIN_CONTROL])


def participant(sid, identity, kind=models.ParticipantInfo.STANDARD, tracks=()):
    return models.ParticipantInfo(sid=sid, identity=identity, name=identity.title(), state=models.ParticipantInfo.ACTIVE,
                                  tracks=list(tracks), metadata='{"lang":"en"}', joined_at=1_763_000_000,
                                  joined_at_ms=1_763_000_000_123, version=3, kind=kind,
                                  attributes={"lk.agent.state": "listening", "ünïcode": "✓"},
                                  permission=models.ParticipantPermission(can_subscribe=True, can_publish=True,
                                                                          can_publish_data=True))


def job():
    return agent.Job(id="AJ_abc123", dispatch_id="AD_xyz", type=agent.JT_ROOM,
                     room=models.Room(sid="RM_1", name="demo", empty_timeout=300, creation_time=1_763_000_000),
                     participant=participant("PA_caller", "caller"), namespace="", metadata='{"greeting":"hi"}',
                     agent_name="assistant", state=agent.JobState(status=agent.JS_PENDING, updated_at=1_763_000_001))


SCENARIOS = {
    # SignalRequest: what a client sends on /rtc
    "SignalRequest.offer": lambda: rtc.SignalRequest(
        offer=rtc.SessionDescription(type="offer", sdp=SDP, id=4, mid_to_track_id={"0": "TR_AMic1"})),
    "SignalRequest.trickle": lambda: rtc.SignalRequest(
        trickle=rtc.TrickleRequest(candidateInit=CANDIDATE, target=rtc.SUBSCRIBER, final=False)),
    "SignalRequest.add_track": lambda: rtc.SignalRequest(add_track=rtc.AddTrackRequest(
        cid="steadfast-mic-1", name="microphone", type=models.AUDIO, source=models.TrackSource.MICROPHONE,
        muted=False, disable_red=True, disable_dtx=False, audio_features=[models.TF_NOISE_SUPPRESSION])),
    "SignalRequest.ping_req": lambda: rtc.SignalRequest(ping_req=rtc.Ping(timestamp=1_763_000_000_456, rtt=42)),
    "SignalRequest.leave": lambda: rtc.SignalRequest(leave=rtc.LeaveRequest(
        can_reconnect=False, reason=models.CLIENT_INITIATED, action=rtc.LeaveRequest.DISCONNECT)),
    # SignalResponse: what the server sends on /rtc
    "SignalResponse.join": lambda: rtc.SignalResponse(join=rtc.JoinResponse(
        room=models.Room(sid="RM_1", name="demo", max_participants=10, metadata="m", num_participants=2),
        participant=participant("PA_agent", "agent-1", models.ParticipantInfo.AGENT),
        other_participants=[participant("PA_caller", "caller", tracks=[track()]),
                            participant("PA_other", "other")],
        server_version="1.9.0", subscriber_primary=True, ping_timeout=15, ping_interval=5,
        ice_servers=[rtc.ICEServer(urls=["stun:127.0.0.1:3478"])],
        server_info=models.ServerInfo(edition=models.ServerInfo.Standard, version="1.9.0", protocol=16,
                                      region="local", node_id="ND_1"))),
    "SignalResponse.offer": lambda: rtc.SignalResponse(
        offer=rtc.SessionDescription(type="offer", sdp=SDP, id=9, mid_to_track_id={"0": "TR_AMic1", "1": "TR_B"})),
    "SignalResponse.trickle": lambda: rtc.SignalResponse(
        trickle=rtc.TrickleRequest(candidateInit=CANDIDATE, target=rtc.PUBLISHER, final=True)),
    "SignalResponse.track_published": lambda: rtc.SignalResponse(
        track_published=rtc.TrackPublishedResponse(cid="steadfast-mic-1", track=track())),
    # WorkerMessage: what a worker sends on /agent
    "WorkerMessage.register": lambda: agent.WorkerMessage(register=agent.RegisterWorkerRequest(
        type=agent.JT_ROOM, agent_name="assistant", version="0.1.0", namespace="",
        allowed_permissions=models.ParticipantPermission(can_subscribe=True, can_publish=True,
                                                         can_publish_data=True, can_update_metadata=True,
                                                         agent=True))),
    "WorkerMessage.availability": lambda: agent.WorkerMessage(availability=agent.AvailabilityResponse(
        job_id="AJ_abc123", available=True, participant_identity="agent-AJ_abc123",
        participant_name="Assistant", participant_metadata="{}", participant_attributes={"role": "assistant"})),
    "WorkerMessage.update_worker": lambda: agent.WorkerMessage(update_worker=agent.UpdateWorkerStatus(
        status=agent.WS_FULL, load=0.75, job_count=3)),
    "WorkerMessage.update_job": lambda: agent.WorkerMessage(update_job=agent.UpdateJobStatus(
        job_id="AJ_abc123", status=agent.JS_FAILED, error="room closed")),
    # ServerMessage: what the server sends on /agent
    "ServerMessage.register": lambda: agent.ServerMessage(register=agent.RegisterWorkerResponse(
        worker_id="AW_1", server_info=models.ServerInfo(edition=models.ServerInfo.Standard, version="1.9.0",
                                                          protocol=16, agent_protocol=1))),
    "ServerMessage.availability": lambda: agent.ServerMessage(
        availability=agent.AvailabilityRequest(job=job(), resuming=True)),
    "ServerMessage.assignment": lambda: agent.ServerMessage(
        assignment=agent.JobAssignment(job=job(), url="ws://127.0.0.1:7880", token="eyJhbGciOi.x.y")),
    "ServerMessage.termination": lambda: agent.ServerMessage(
        termination=agent.JobTermination(job_id="AJ_abc123")),
}


def main():
    name = sys.argv[1]
    expected = SCENARIOS[name]()
    parsed = type(expected)()
    swift_bytes = base64.b64decode(sys.stdin.read().strip())
    parsed.ParseFromString(swift_bytes)
    # Equality alone ignores nothing known, but fields Python does not know would land in unknown
    # fields; comparing deterministic encodings catches those too.
    same = parsed == expected and parsed.SerializeToString(deterministic=True) == \
        expected.SerializeToString(deterministic=True)
    diff = "" if same else ("python built:\n" + text_format.MessageToString(expected) +
                            "\nswift sent:\n" + text_format.MessageToString(parsed))
    print(json.dumps({
        "match": same,
        "diff": diff,
        "python_b64": base64.b64encode(expected.SerializeToString()).decode(),
        "python_json": json_format.MessageToJson(expected),
    }))


if __name__ == "__main__":
    main()
