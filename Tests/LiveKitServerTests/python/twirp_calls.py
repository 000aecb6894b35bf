"""livekit-api (1.2.2) against our Twirp RoomService and AgentDispatchService, error cases included.

Usage: twirp_calls.py URL API_KEY API_SECRET
Prints one JSON object: for each call, what came back (or the Twirp error code).
"""
import asyncio
import json
import sys

from livekit import api, rtc


def code_of(error):
    return getattr(error, "code", type(error).__name__)


async def attempt(result, name, coroutine):
    try:
        value = await coroutine
        result[name] = "ok"
        return value
    except api.TwirpError as error:
        result[name] = "error:" + code_of(error)
    except Exception as error:
        result[name] = "exception:" + type(error).__name__ + ":" + str(error)[:200]
    return None


async def main():
    url, key, secret = sys.argv[1:4]
    http_url = url.replace("ws://", "http://")
    result = {}
    lk = api.LiveKitAPI(http_url, key, secret)
    room = await attempt(result, "create_room", lk.room.create_room(api.CreateRoomRequest(name="api-room", metadata="m0", empty_timeout=60)))
    result["create_room_sid"] = room.sid if room else ""
    result["create_room_metadata"] = room.metadata if room else ""
    again = await attempt(result, "create_room_again", lk.room.create_room(api.CreateRoomRequest(name="api-room")))
    result["create_room_same_sid"] = bool(room and again and room.sid == again.sid)
    listed = await attempt(result, "list_rooms", lk.room.list_rooms(api.ListRoomsRequest()))
    result["list_rooms_names"] = sorted(r.name for r in listed.rooms) if listed else []
    filtered = await attempt(result, "list_rooms_filtered", lk.room.list_rooms(api.ListRoomsRequest(names=["nope"])))
    result["list_rooms_filtered_count"] = len(filtered.rooms) if filtered else -1
    updated = await attempt(result, "update_room_metadata", lk.room.update_room_metadata(api.UpdateRoomMetadataRequest(room="api-room", metadata="m1")))
    result["updated_metadata"] = updated.metadata if updated else ""

    # A participant from the official realtime SDK, so the participant calls have someone to act on.
    caller = rtc.Room()
    disconnected = asyncio.Event()
    caller.on("disconnected", lambda reason: disconnected.set())
    grant = api.VideoGrants(room_join=True, room="api-room")
    jwt = api.AccessToken(key, secret).with_identity("carol").with_grants(grant).to_jwt()
    await asyncio.wait_for(caller.connect(url, jwt), 20)
    people = await attempt(result, "list_participants", lk.room.list_participants(api.ListParticipantsRequest(room="api-room")))
    result["participants"] = [p.identity for p in people.participants] if people else []
    one = await attempt(result, "get_participant", lk.room.get_participant(api.RoomParticipantIdentity(room="api-room", identity="carol")))
    result["get_participant_sid_prefix"] = one.sid[:3] if one else ""
    await attempt(result, "get_participant_missing", lk.room.get_participant(api.RoomParticipantIdentity(room="api-room", identity="nobody")))
    changed = await attempt(result, "update_participant", lk.room.update_participant(api.UpdateParticipantRequest(
        room="api-room", identity="carol", metadata="vip", attributes={"team": "blue"})))
    result["updated_participant"] = [changed.metadata, dict(changed.attributes)] if changed else []
    await asyncio.sleep(0.3)
    result["caller_sees_own_metadata"] = caller.local_participant.metadata
    await attempt(result, "mute_unknown_track", lk.room.mute_published_track(api.MuteRoomTrackRequest(
        room="api-room", identity="carol", track_sid="TR_nothing", muted=True)))
    await attempt(result, "send_data", lk.room.send_data(api.SendDataRequest(room="api-room", data=b"hi", kind=0)))

    dispatch = await attempt(result, "create_dispatch", lk.agent_dispatch.create_dispatch(api.CreateAgentDispatchRequest(
        agent_name="helper", room="api-room", metadata="job-meta")))
    result["dispatch_id_prefix"] = dispatch.id[:3] if dispatch else ""
    dispatches = await attempt(result, "list_dispatch", lk.agent_dispatch.list_dispatch("api-room"))
    result["dispatch_names"] = sorted(d.agent_name for d in dispatches) if dispatches is not None else []
    if dispatch:
        await attempt(result, "delete_dispatch", lk.agent_dispatch.delete_dispatch(dispatch.id, "api-room"))
    await attempt(result, "delete_dispatch_missing", lk.agent_dispatch.delete_dispatch("AD_missing", "api-room"))

    await attempt(result, "remove_participant", lk.room.remove_participant(api.RoomParticipantIdentity(room="api-room", identity="carol")))
    try:
        await asyncio.wait_for(disconnected.wait(), 10)
        result["caller_disconnected"] = True
    except asyncio.TimeoutError:
        result["caller_disconnected"] = False
    await attempt(result, "list_participants_unknown_room", lk.room.list_participants(api.ListParticipantsRequest(room="nowhere")))
    await attempt(result, "delete_room", lk.room.delete_room(api.DeleteRoomRequest(room="api-room")))
    await attempt(result, "delete_room_missing", lk.room.delete_room(api.DeleteRoomRequest(room="api-room")))
    await lk.aclose()

    forged = api.LiveKitAPI(http_url, key, secret + "-forged")
    await attempt(result, "forged_list_rooms", forged.room.list_rooms(api.ListRoomsRequest()))
    await forged.aclose()
    # A valid token without the admin grant for the room.
    weak = api.AccessToken(key, secret).with_identity("weak").with_grants(api.VideoGrants(room_join=True, room="api-room")).to_jwt()
    no_admin = api.LiveKitAPI(http_url, token=weak)
    await attempt(result, "no_admin_list_participants", no_admin.room.list_participants(api.ListParticipantsRequest(room="api-room")))
    await attempt(result, "no_create_create_room", no_admin.room.create_room(api.CreateRoomRequest(name="x")))
    await no_admin.aclose()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
