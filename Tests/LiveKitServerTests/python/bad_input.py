"""Bad input at every entry of our server, over the real wire (aiohttp WebSockets and HTTP), then
a check that an official-SDK participant can still join another room.

Usage: bad_input.py URL API_KEY API_SECRET
Prints one JSON object with what each attempt got back.
"""
import asyncio
import json
import sys

import aiohttp
from livekit import api, rtc
from livekit.protocol import rtc as rtc_pb


def token(key, secret, identity, room):
    return api.AccessToken(key, secret).with_identity(identity).with_grants(
        api.VideoGrants(room_join=True, room=room)).to_jwt()


async def main():
    url, key, secret = sys.argv[1:4]
    http = url.replace("ws://", "http://")
    result = {}
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": "Bearer " + token(key, secret, "fuzzer", "bad")}
        async with session.ws_connect(url + "/rtc?protocol=16", headers=headers) as ws:
            first = await asyncio.wait_for(ws.receive(), 5)
            join = rtc_pb.SignalResponse.FromString(first.data)
            result["joined"] = join.WhichOneof("message") == "join"
            await ws.send_bytes(b"\xff\xfe\x00garbage")                      # not protobuf
            await ws.send_str("{\"not\": \"binary\"}")                       # a text frame
            bad_offer = rtc_pb.SignalRequest(offer=rtc_pb.SessionDescription(type="offer", sdp="v=0\r\nm=nonsense\r\n"))
            await ws.send_bytes(bad_offer.SerializeToString())               # malformed SDP
            bad_trickle = rtc_pb.SignalRequest(trickle=rtc_pb.TrickleRequest(candidateInit="{not json", target=0))
            await ws.send_bytes(bad_trickle.SerializeToString())             # malformed candidate
            await ws.send_bytes(rtc_pb.SignalRequest(ping_req=rtc_pb.Ping(timestamp=42)).SerializeToString())
            pong = None
            for _ in range(10):
                message = await asyncio.wait_for(ws.receive(), 5)
                response = rtc_pb.SignalResponse.FromString(message.data)
                if response.WhichOneof("message") == "pong_resp":
                    pong = response.pong_resp.last_ping_timestamp
                    break
            result["pong_after_garbage"] = pong
        # A WebSocket message over the 1 MiB limit closes that connection only.
        async with session.ws_connect(url + "/rtc", headers=headers, max_msg_size=0) as ws:
            await asyncio.wait_for(ws.receive(), 5)
            await ws.send_bytes(b"\x00" * (2 << 20))
            closed = await asyncio.wait_for(ws.receive(), 5)
            result["oversized_closed"] = closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
        # Join flood: 40 connections with one identity each into one room.
        flood = []
        for index in range(40):
            jwt = token(key, secret, "flood-%d" % index, "flood")
            flood.append(await session.ws_connect(url + "/rtc", headers={"Authorization": "Bearer " + jwt}))
        for ws in flood:
            await ws.close()
        async with session.post(http + "/twirp/livekit.RoomService/ListRooms", data=b"\xff\xff",
                                headers={"Content-Type": "application/protobuf",
                                         "Authorization": "Bearer " + api.AccessToken(key, secret).with_grants(api.VideoGrants(room_list=True)).to_jwt()}) as response:
            result["twirp_garbage"] = [response.status, (await response.json()).get("code")]
        async with session.get(http + "/rtc/validate", headers=headers) as response:
            result["validate"] = [response.status, await response.text()]
        async with session.get(http + "/rtc/validate") as response:
            result["validate_no_token"] = response.status
        async with session.get(http + "/rtc/v1") as response:
            result["v1"] = response.status
    room = rtc.Room()
    await asyncio.wait_for(room.connect(url, token(key, secret, "survivor", "good")), 20)
    result["survivor_joined"] = room.local_participant.sid.startswith("PA_")
    await room.disconnect()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
