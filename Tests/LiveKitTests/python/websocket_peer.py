"""Independent WebSocket peers for Steadfast's libwebsockets transport (WebSocketTransportTests).

A server on the `websockets` package (not our code) in one of several behaviours, optionally over
TLS, or a small HTTP CONNECT proxy. Prints one JSON line {"port": N} when listening, then one JSON
line per notable event ({"received": ...}, {"tunnel": "host:port"}), flushed, so the Swift test
can follow. Runs until killed.

    websocket_peer.py server MODE [--cert CERT --key KEY] [--size N]
    websocket_peer.py proxy
"""

import argparse
import asyncio
import json
import ssl
import struct
import sys
from http import HTTPStatus

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed


def say(**fields):
    print(json.dumps(fields), flush=True)


async def echo(ws, args):
    """Echo every message back in order; report the order the client's sequence arrived in."""
    expected = 0
    in_order = True
    async for message in ws:
        if isinstance(message, bytes) and len(message) >= 4:
            (index,) = struct.unpack(">I", message[:4])
            if index != expected:
                in_order = False
            expected += 1
            if expected == args.count:
                say(received=expected, in_order=in_order)
        await ws.send(message)


async def fragments(ws, args):
    """One binary message in three fragments (RFC 6455 §5.4), then an unfragmented one."""
    await ws.send([b"first-", b"second-", b"third"])
    await ws.send(b"whole")
    await ws.wait_closed()


async def ping(ws, args):
    """Pings the client; says whether the pong came back, then tells the client too."""
    waiter = await ws.ping(b"are-you-there")
    try:
        latency = await asyncio.wait_for(waiter, 5)
        say(pong=True, latency=latency)
        await ws.send(b"pong-received")
    except asyncio.TimeoutError:
        say(pong=False)
        await ws.send(b"no-pong")
    await ws.wait_closed()


async def close_mid_stream(ws, args):
    """Three messages, then a close with an application code and reason (RFC 6455 §7.4.2)."""
    for index in range(3):
        await ws.send(struct.pack(">I", index))
    await ws.close(4000, "room deleted")


async def oversize(ws, args):
    """A message of args.size bytes (the test makes it one byte over its limit)."""
    await ws.send(b"x" * args.size)
    try:
        await ws.wait_closed()
    finally:
        say(close_code=ws.close_code)


async def flood(ws, args):
    """args.count numbered messages to the client, as fast as it reads them."""
    for index in range(args.count):
        await ws.send(struct.pack(">I", index) + b"." * 32)
    await ws.wait_closed()


async def run_websocket_server(args):
    handlers = {"echo": echo, "fragments": fragments, "ping": ping, "close": close_mid_stream,
                "oversize": oversize, "flood": flood}
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        # Reports the SNI the client sent (null when none: an IP address URL must send none).
        context.sni_callback = lambda _socket, name, _context: say(sni=name)
    process_request = None
    if args.mode == "401":
        async def process_request(connection, request):
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid token: signature is invalid\n")
    elif args.mode == "404":
        async def process_request(connection, request):
            return connection.respond(HTTPStatus.NOT_FOUND, "404 page not found\n")
    elif args.mode not in handlers:
        sys.exit(f"unknown mode {args.mode}")

    async def handler(ws):
        say(path=ws.request.path, authorization=ws.request.headers.get("Authorization", ""))
        try:
            await handlers[args.mode](ws, args)
        except ConnectionClosed:
            pass

    async with serve(handler, "127.0.0.1", 0, ssl=context, process_request=process_request,
                     max_size=None, ping_interval=None) as server:
        say(port=server.sockets[0].getsockname()[1])
        await asyncio.Future()


async def run_raw_server(args):
    """Not WebSocket at all: 'garbage' answers the upgrade with nonsense, 'silent' never answers."""
    async def handle(reader, writer):
        if args.mode == "garbage":
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"SSH-2.0-OpenSSH_9.2p1 not a web server\r\n\r\n")
            await writer.drain()
            writer.close()
        else:
            await asyncio.sleep(3600)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    say(port=server.sockets[0].getsockname()[1])
    await asyncio.Future()


async def run_proxy(args):
    """An HTTP CONNECT proxy (RFC 9110 §9.3.6): tunnels bytes both ways, reports each tunnel."""
    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            writer.close()
            return
        host, port = target.rsplit(":", 1)
        say(tunnel=target)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host.strip("[]"), int(port))
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
            writer.close()
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    say(port=server.sockets[0].getsockname()[1])
    await asyncio.Future()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server", "proxy"])
    parser.add_argument("mode", nargs="?", default="echo")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    if args.role == "proxy":
        asyncio.run(run_proxy(args))
    elif args.mode in ("garbage", "silent"):
        asyncio.run(run_raw_server(args))
    else:
        asyncio.run(run_websocket_server(args))


if __name__ == "__main__":
    main()
