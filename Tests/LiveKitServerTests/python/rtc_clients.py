"""Official LiveKit realtime SDK (livekit 1.2.x, Rust livekit-ffi over libwebrtc) against our server.

Usage: rtc_clients.py SCENARIO URL API_KEY API_SECRET
Prints one JSON object with what the SDK saw; the Swift test asserts on it. Exits non-zero only on
an unexpected exception, with the traceback on stderr.
"""
import asyncio
import json
import sys
import time

from livekit import api, rtc


def token(key, secret, identity, room, **grants):
    video = api.VideoGrants(room_join=True, room=room, **grants)
    builder = api.AccessToken(key, secret).with_identity(identity).with_name(identity.title()).with_grants(video)
    return builder.to_jwt()


async def two_participants(url, key, secret):
    result = {}
    alice, bob = rtc.Room(), rtc.Room()
    joined = asyncio.Event()
    left = asyncio.Event()
    attributes = asyncio.Event()
    alice.on("participant_connected", lambda p: joined.set())
    alice.on("participant_disconnected", lambda p: left.set())
    alice.on("participant_attributes_changed", lambda changed, p: attributes.set())
    started = time.monotonic()
    await asyncio.wait_for(alice.connect(url, token(key, secret, "alice", "r1")), 20)
    result["alice_connected_s"] = round(time.monotonic() - started, 3)
    result["alice_sid"] = alice.local_participant.sid
    result["room_sid"] = await alice.sid
    await asyncio.wait_for(
        bob.connect(url, token(key, secret, "bob", "r1", can_update_own_metadata=True)), 20)
    result["bob_sees"] = sorted(bob.remote_participants.keys())
    await asyncio.wait_for(joined.wait(), 10)
    result["alice_sees"] = sorted(alice.remote_participants.keys())
    result["bob_kind_seen_by_alice"] = int(alice.remote_participants["bob"].kind)
    await asyncio.wait_for(bob.local_participant.set_attributes({"mood": "calm"}), 10)
    await asyncio.wait_for(attributes.wait(), 10)
    result["bob_attributes_seen_by_alice"] = dict(alice.remote_participants["bob"].attributes)
    await bob.disconnect()
    await asyncio.wait_for(left.wait(), 10)
    result["alice_sees_after_leave"] = sorted(alice.remote_participants.keys())
    await alice.disconnect()
    return result


async def tone(url, key, secret):
    """A publishes a 440 Hz then 880 Hz tone; B, auto-subscribed, reports the dominant frequency of
    each 200 ms window it hears."""
    import numpy as np

    speaker, listener = rtc.Room(), rtc.Room()
    tracks = asyncio.Queue()
    listener.on("track_subscribed", lambda track, pub, participant: tracks.put_nowait(track))
    await asyncio.wait_for(listener.connect(url, token(key, secret, "listener", "tones")), 20)
    await asyncio.wait_for(speaker.connect(url, token(key, secret, "speaker", "tones")), 20)
    source = rtc.AudioSource(48000, 1)
    local = rtc.LocalAudioTrack.create_audio_track("tone", source)
    options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
    publication = await asyncio.wait_for(speaker.local_participant.publish_track(local, options), 15)
    result = {"track_sid": publication.sid}

    async def feed():
        sent = 0
        while True:
            frequency = 440.0 if sent < 48000 * 2 else 880.0
            t = (np.arange(480) + sent) / 48000.0
            samples = (0.3 * 32767 * np.sin(2 * np.pi * frequency * t)).astype(np.int16)
            frame = rtc.AudioFrame(samples.tobytes(), 48000, 1, 480)
            await source.capture_frame(frame)
            sent += 480

    feeder = asyncio.create_task(feed())
    try:
        remote = await asyncio.wait_for(tracks.get(), 15)
        result["remote_track_sid"] = remote.sid
        stream = rtc.AudioStream(remote, sample_rate=48000, num_channels=1)
        heard = []
        started = time.monotonic()
        async for event in stream:
            heard.append(np.frombuffer(event.frame.data, dtype=np.int16).astype(np.float64))
            if time.monotonic() - started > 4.5:
                break
        audio = np.concatenate(heard)
        windows = []
        for start in range(0, len(audio) - 9600, 9600):
            window = audio[start:start + 9600]
            rms = float(np.sqrt(np.mean(window ** 2)))
            spectrum = np.abs(np.fft.rfft(window * np.hanning(len(window))))
            peak = float(np.argmax(spectrum) * 48000 / len(window))
            windows.append([round(peak), round(rms)])
        result["windows"] = windows
        await stream.aclose()
    finally:
        feeder.cancel()
    await speaker.disconnect()
    await listener.disconnect()
    return result


async def data(url, key, secret):
    """Bob sends reliable and lossy data (one to everyone, one to carol only); Alice and Carol
    report what arrived and from whom."""
    alice, bob, carol = rtc.Room(), rtc.Room(), rtc.Room()
    received = {"alice": [], "carol": []}
    for name, room in (("alice", alice), ("carol", carol)):
        room.on("data_received", lambda packet, name=name: received[name].append(
            [packet.data.decode(), packet.participant.identity if packet.participant else None, int(packet.kind), packet.topic]))
    for name, room in (("alice", alice), ("bob", bob), ("carol", carol)):
        await asyncio.wait_for(room.connect(url, token(key, secret, name, "data")), 20)
    await asyncio.sleep(0.5)
    await asyncio.wait_for(bob.local_participant.publish_data(b"hello-reliable", reliable=True, topic="t1"), 20)
    for _ in range(5):
        await bob.local_participant.publish_data(b"hello-lossy", reliable=False, topic="t2")
        await asyncio.sleep(0.05)
    await bob.local_participant.publish_data(b"only-carol", reliable=True, destination_identities=["carol"])
    await asyncio.sleep(1.5)
    for room in (alice, bob, carol):
        await room.disconnect()
    return received


async def forged(url, key, secret):
    room = rtc.Room()
    started = time.monotonic()
    try:
        await asyncio.wait_for(room.connect(url, token(key, secret + "-forged", "mallory", "r1")), 30)
        return {"connected": True}
    except Exception as error:  # the SDK raises ConnectError
        return {"connected": False, "error": str(error)[:300], "seconds": round(time.monotonic() - started, 3)}


async def main():
    scenario, url, key, secret = sys.argv[1:5]
    scenarios = {"two_participants": two_participants, "forged": forged, "tone": tone, "data": data}
    result = await scenarios[scenario](url, key, secret)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
