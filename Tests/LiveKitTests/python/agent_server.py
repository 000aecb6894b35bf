"""A scripted LiveKit /agent endpoint for Steadfast's worker tests.

It speaks the real wire format (binary protobuf frames from the official `livekit-protocol`
package over a WebSocket) and checks the worker's token with the official `livekit-api`
TokenVerifier, as a LiveKit server does. One scripted session:

  register -> RegisterWorkerResponse; an AvailabilityRequest for job AJ_py; the worker's answer;
  a JobAssignment; the worker's UpdateJobStatus frames until SUCCESS; then the server closes the
  socket and expects the worker to reconnect and register again.

Prints {"port": N} once listening, then {"result": {...}} with what it saw, and exits.
Usage: agent_server.py API_KEY API_SECRET [CERT_PEM KEY_PEM]
With a certificate and key it serves wss:// (TLS) instead of ws://.
"""
import asyncio
import json
import os
import ssl
import sys

from aiohttp import WSMsgType, web
from livekit import api
from livekit.protocol import agent, models

API_KEY, API_SECRET = sys.argv[1], sys.argv[2]
result = {"connections": 0, "rejected_tokens": 0, "registrations": [], "availability": None,
          "job_updates": [], "worker_status": [], "errors": []}
done = asyncio.Event()


def server_message(**fields):
    return agent.ServerMessage(**fields).SerializeToString()


async def next_worker_message(ws, wanted):
    """The next WorkerMessage whose oneof is `wanted`, noting status updates on the way."""
    async for frame in ws:
        if frame.type != WSMsgType.BINARY:
            result["errors"].append(f"non-binary frame {frame.type}")
            continue
        message = agent.WorkerMessage.FromString(frame.data)
        kind = message.WhichOneof("message")
        if kind == "update_worker":
            result["worker_status"].append({"status": message.update_worker.status,
                                            "load": message.update_worker.load,
                                            "jobs": message.update_worker.job_count})
        if kind == wanted:
            return message
    return None


async def handle(request):
    header = request.headers.get("Authorization", "")
    try:
        claims = api.TokenVerifier(API_KEY, API_SECRET).verify(header.removeprefix("Bearer "))
        if not claims.video or not claims.video.agent:
            raise ValueError("the token lacks video.agent")
    except Exception as error:  # LiveKit answers 401 for any token problem
        result["rejected_tokens"] += 1
        result["errors"].append(f"token: {error}")
        return web.Response(status=401, text=str(error))
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    result["connections"] += 1
    connection = result["connections"]
    register = await next_worker_message(ws, "register")
    if register is None:
        return ws
    result["registrations"].append({"agent_name": register.register.agent_name,
                                    "type": register.register.type,
                                    "agent_permission": register.register.allowed_permissions.agent})
    await ws.send_bytes(server_message(register=agent.RegisterWorkerResponse(
        worker_id=f"AW_py{connection}", server_info=models.ServerInfo(version="scripted-1.0"))))
    if connection > 1:
        done.set()
        await asyncio.sleep(0.5)
        await ws.close()
        return ws
    job = agent.Job(id="AJ_py", type=agent.JobType.JT_ROOM, room=models.Room(name="demo"),
                    agent_name=register.register.agent_name)
    await ws.send_bytes(server_message(availability=agent.AvailabilityRequest(job=job)))
    answer = await next_worker_message(ws, "availability")
    result["availability"] = {"job_id": answer.availability.job_id, "available": answer.availability.available,
                              "identity": answer.availability.participant_identity,
                              "attributes": dict(answer.availability.participant_attributes)}
    await ws.send_bytes(server_message(assignment=agent.JobAssignment(job=job, token="room-token-for-AJ_py")))
    while True:
        update = await next_worker_message(ws, "update_job")
        if update is None:
            break
        result["job_updates"].append(agent.JobStatus.Name(update.update_job.status))
        if update.update_job.status == agent.JobStatus.JS_SUCCESS:
            break
    await ws.close()  # the worker must reconnect and register again
    return ws


async def main():
    app = web.Application()
    app.router.add_get("/agent", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    tls = None
    if len(sys.argv) >= 5:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(sys.argv[3], sys.argv[4])
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(json.dumps({"port": port}), flush=True)
    try:
        # How long to wait for the scripted session; callers that queue behind other subprocesses set more.
        await asyncio.wait_for(done.wait(), timeout=float(os.environ.get("AGENT_SERVER_LIFETIME", "30")))
    except asyncio.TimeoutError:
        result["errors"].append("timed out waiting for the second registration")
    print(json.dumps({"result": result}), flush=True)
    await runner.cleanup()


asyncio.run(main())
