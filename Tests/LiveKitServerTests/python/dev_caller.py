"""An official-SDK caller (livekit 1.2.x) in a room served by `steadfast dev`'s embedded server.

Usage: dev_caller.py URL API_KEY API_SECRET ROOM SECONDS
Joins ROOM (which dispatches the worker's agent), waits for an AGENT participant, and reports
what it heard from it: one JSON object.
"""
import asyncio
import json
import sys
import time

import numpy as np
from livekit import api, rtc


async def main():
    url, key, secret, room_name, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
    grant = api.VideoGrants(room_join=True, room=room_name)
    jwt = api.AccessToken(key, secret).with_identity("caller").with_grants(grant).to_jwt()
    room = rtc.Room()
    tracks = asyncio.Queue()
    agents = asyncio.Queue()

    def joined(participant):
        if participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
            agents.put_nowait(participant)

    room.on("participant_connected", joined)
    room.on("track_subscribed", lambda track, pub, participant: tracks.put_nowait((track, participant)))
    await asyncio.wait_for(room.connect(url, jwt), 20)
    for participant in room.remote_participants.values():
        joined(participant)
    result = {}
    started = time.monotonic()
    agent = await asyncio.wait_for(agents.get(), seconds)
    result["agent_identity"] = agent.identity
    result["agent_joined_s"] = round(time.monotonic() - started, 2)
    track, publisher = await asyncio.wait_for(tracks.get(), seconds)
    result["track_from"] = publisher.identity
    stream = rtc.AudioStream(track, sample_rate=48000, num_channels=1)
    loud = 0
    total = 0
    heard_started = time.monotonic()
    async for event in stream:
        samples = np.frombuffer(event.frame.data, dtype=np.int16).astype(np.float64)
        total += 1
        if np.sqrt(np.mean(samples ** 2)) > 300:
            loud += 1
        if time.monotonic() - heard_started > seconds:
            break
    result["frames"] = total
    result["loud_frames"] = loud
    await stream.aclose()
    await room.disconnect()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
