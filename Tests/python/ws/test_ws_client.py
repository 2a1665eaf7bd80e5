"""Our WebSocket server against the real Python `websockets` client (RFC 6455 + RFC 7692)."""
import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


def test_text_and_binary_echo(ws_server):
    async def scenario():
        async with connect(f"{ws_server.ws}/ws/echo", subprotocols=["test.v1"]) as ws:
            assert ws.subprotocol == "test.v1"
            await ws.send("héllo wörld ✓ 😀")
            assert await ws.recv() == "héllo wörld ✓ 😀"
            payload = bytes(range(256)) * 100
            await ws.send(payload)
            assert await ws.recv() == payload
            await ws.send("")
            assert await ws.recv() == ""
    run(scenario())


def test_fragmented_messages_are_reassembled(ws_server):
    async def scenario():
        async with connect(f"{ws_server.ws}/ws/echo", compression=None) as ws:
            await ws.send(["frag", "mented ", "€", "uro"])
            assert await ws.recv() == "fragmented €uro"
            await ws.send([b"\x00\x01", b"", b"\x02"])
            assert await ws.recv() == b"\x00\x01\x02"
    run(scenario())


def test_ping_is_answered_with_matching_pong(ws_server):
    async def scenario():
        async with connect(f"{ws_server.ws}/ws/echo") as ws:
            # The waiter resolves only when a pong carries this ping's payload (`run` times out
            # otherwise); its latency is always >= 0, so it is not what is checked.
            await (await ws.ping(b"are you there"))
    run(scenario())


@pytest.mark.parametrize("code,reason", [(1000, "done"), (1001, ""), (4001, "app-specific"), (3000, "lib")])
def test_client_initiated_close_is_echoed(ws_server, code, reason):
    async def scenario():
        ws = await connect(f"{ws_server.ws}/ws/echo")
        await ws.close(code, reason)
        # Our server echoes the client's code (RFC 6455 §5.5.1).
        assert ws.close_code == code
        assert ws.protocol.close_rcvd.code == code
    run(scenario())


def test_oversized_message_is_closed_with_1009(ws_server):
    async def scenario():
        async with connect(f"{ws_server.ws}/ws/echo", max_size=None, compression=None) as ws:
            await ws.send("x" * 65536)  # exactly at the limit: accepted
            assert len(await ws.recv()) == 65536
            await ws.send("x" * 65537)
            with pytest.raises(ConnectionClosedError) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1009
    run(scenario())


def test_compressed_oversized_message_is_closed_with_1009(ws_server):
    """A small compressed message that inflates past the limit (a zip bomb) is refused."""
    async def scenario():
        async with connect(f"{ws_server.ws}/ws/echo", max_size=None) as ws:
            await ws.send("0" * 500_000)  # compresses to ~500 bytes
            with pytest.raises(ConnectionClosedError) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1009
    run(scenario())


def test_permessage_deflate_is_negotiated_and_round_trips(ws_server):
    async def scenario():
        async with connect(f"{ws_server.ws}/ws/echo") as ws:
            extensions = ws.response.headers["Sec-WebSocket-Extensions"]
            assert extensions.startswith("permessage-deflate")
            assert "server_no_context_takeover" in extensions
            for size in (10, 1000, 40000):  # characters; ✓ is 3 bytes, limit 64 KiB
                text = ("compressible text ✓ " * (size // 20 + 1))[:size]
                await ws.send(text)
                assert await ws.recv() == text
    run(scenario())


def test_deflate_can_be_switched_off(ws_server_no_deflate):
    async def scenario():
        async with connect(f"{ws_server_no_deflate.ws}/ws/echo") as ws:
            assert "Sec-WebSocket-Extensions" not in ws.response.headers
            await ws.send("plain")
            assert await ws.recv() == "plain"
    run(scenario())


def test_chat_broadcast_reaches_every_member(ws_server):
    async def scenario():
        async with connect(f"{ws_server.ws}/ws/chat") as alice, connect(f"{ws_server.ws}/ws/chat", compression=None) as bob:
            assert (await alice.recv()).startswith("welcome permessage-deflate")
            assert await bob.recv() == "welcome uncompressed"
            await alice.send("hi all " * 30)
            assert await alice.recv() == "hi all " * 30
            assert await bob.recv() == "hi all " * 30
    run(scenario())


def test_server_pings_are_answered_by_the_client_and_keep_the_connection(ws_server):
    """/ws/fastping pings after 200 ms of silence and closes after 400 ms without an answer;
    the websockets client answers pings automatically, so the connection survives."""
    async def scenario():
        async with connect(f"{ws_server.ws}/ws/fastping", ping_interval=None) as ws:
            await asyncio.sleep(1.5)
            await ws.send("still here")
            assert await ws.recv() == "still here"
    run(scenario())


def test_stopping_the_server_says_going_away(fresh_ws_server):
    """SIGTERM: the server sends 1001 on every WebSocket before it stops, not a dropped socket."""
    import signal

    async def scenario():
        async with connect(f"{fresh_ws_server.ws}/ws/echo") as first, connect(f"{fresh_ws_server.ws}/ws/chat") as second:
            await second.recv()  # welcome
            fresh_ws_server.process.send_signal(signal.SIGTERM)
            for ws in (first, second):
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd.code == 1001
                assert closed.value.rcvd.reason == "server shutting down"
    run(scenario())
    assert fresh_ws_server.process.wait(timeout=10) == 0
