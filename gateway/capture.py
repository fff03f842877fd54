"""A provider stand-in that records every byte it receives and can be told to fail.

Speaks enough of the OpenAI and Anthropic APIs for the gateway; used by the tests (what
left the box) and by the benchmark (a deterministic upstream).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Behaviour:
    """What the next requests get. `mode`: ok, refuse, stall, status, cut."""

    mode: str = "ok"
    status: int = 500
    stall_seconds: float = 30.0
    chunks: list[str] = field(default_factory=lambda: ["Hello", " from", " the", " capture", " upstream", "."])
    chunk_delay: float = 0.0
    first_delay: float = 0.0
    cut_after: int = 2
    tool_call: dict[str, Any] | None = None  # {"name": ..., "arguments": "json text"}
    echo: int = 0  # answer with the last user message, in pieces of this many characters


class CaptureUpstream:
    def __init__(self) -> None:
        self.requests: list[Captured] = []
        self.behaviour = Behaviour()
        self.connections = 0
        self.hangups: list[float] = []  # when a client closed a stream we were still sending
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------
    def start(self) -> CaptureUpstream:
        self._thread.start()
        self._ready.wait(10)
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=1024))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            pending = asyncio.all_tasks() - {asyncio.current_task()}
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)  # let each handler unwind
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(self, **behaviour: Any) -> None:
        self.requests.clear()
        self.behaviour = Behaviour(**behaviour)

    def all_bytes(self) -> bytes:
        return b"".join(r.raw for r in self.requests)

    # --- HTTP ----------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                captured = Captured(method, path, headers, body, head + body)
                self.requests.append(captured)
                keep = await self._respond(captured, writer, reader)
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            try:
                writer.close()
            except (OSError, RuntimeError):
                pass  # the client already closed it

    async def _respond(self, req: Captured, writer: asyncio.StreamWriter, reader: asyncio.StreamReader) -> bool:
        b = self.behaviour
        if req.method == "GET" and req.path.endswith("/models"):
            await self._send_json(writer, 200, {"object": "list", "data": [{"id": "capture-model", "object": "model"}]})
            return True
        if b.mode == "refuse":
            writer.transport.abort()
            return False
        if b.mode == "stall":
            await asyncio.sleep(b.stall_seconds)
            writer.transport.abort()
            return False
        if b.mode == "status":
            await self._send_json(writer, b.status, {"error": {"message": "capture says no: secret-upstream-detail", "type": "test"}})
            return True
        if b.first_delay:
            await asyncio.sleep(b.first_delay)
        payload = req.json() if req.body else {}
        anthropic = req.path.endswith("/messages")
        if b.echo:
            said = [m.get("content") for m in payload.get("messages") or [] if m.get("role") == "user"]
            last = said[-1] if said else None
            if isinstance(last, list):  # Anthropic's content blocks: the text ones
                last = "".join(b.get("text", "") for b in last if isinstance(b, dict) and b.get("type") == "text")
            text = last if isinstance(last, str) else str(payload.get("prompt", ""))
            b.chunks = [text[i : i + b.echo] for i in range(0, len(text), b.echo)]
        if payload.get("stream"):
            return await self._stream(writer, reader, payload, anthropic)
        if req.path.endswith("/embeddings"):
            inputs = payload.get("input") or []
            data = [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]} for i, _ in enumerate(inputs)]
            await self._send_json(
                writer,
                200,
                {"object": "list", "data": data, "model": payload.get("model"), "usage": {"prompt_tokens": 3, "total_tokens": 3}},
            )
        elif anthropic:
            await self._send_json(writer, 200, self._anthropic_message(payload))
        else:
            await self._send_json(writer, 200, self._openai_completion(payload, req.path))
        return True

    async def _send_json(self, writer: asyncio.StreamWriter, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()

    def _openai_completion(self, payload: dict[str, Any], path: str) -> dict[str, Any]:
        text = "".join(self.behaviour.chunks)
        if path.endswith("/completions") and not path.endswith("/chat/completions"):
            return {
                "id": "cmpl-1",
                "object": "text_completion",
                "created": int(time.time()),
                "model": payload.get("model"),
                "choices": [{"index": 0, "text": text, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 6, "total_tokens": 11},
            }
        message: dict[str, Any] = {"role": "assistant", "content": text}
        finish = "stop"
        if self.behaviour.tool_call:
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": dict(self.behaviour.tool_call)}],
            }
            finish = "tool_calls"
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": payload.get("model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 6, "total_tokens": 11},
        }

    def _anthropic_message(self, payload: dict[str, Any]) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"type": "text", "text": "".join(self.behaviour.chunks)}]
        stop = "end_turn"
        if self.behaviour.tool_call:
            content = [
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": self.behaviour.tool_call["name"],
                    "input": json.loads(self.behaviour.tool_call["arguments"]),
                }
            ]
            stop = "tool_use"
        return {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": payload.get("model"),
            "content": content,
            "stop_reason": stop,
            "usage": {"input_tokens": 7, "output_tokens": 4},
        }

    async def _stream(self, writer: asyncio.StreamWriter, reader: asyncio.StreamReader, payload: dict[str, Any], anthropic: bool) -> bool:
        b = self.behaviour
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
        await writer.drain()
        hangup = asyncio.ensure_future(reader.read(1))  # b"" once the client closes
        events = self._anthropic_events(payload) if anthropic else self._openai_events(payload)
        try:
            for i, event in enumerate(events):
                if b.mode == "cut" and i >= b.cut_after:
                    writer.transport.abort()
                    return False
                writer.write(event.encode())
                await writer.drain()
                if b.chunk_delay:
                    await asyncio.wait([hangup], timeout=b.chunk_delay)
                if hangup.done():
                    self.hangups.append(time.monotonic())
                    return False
            return False
        finally:
            hangup.cancel()

    def _openai_events(self, payload: dict[str, Any]) -> list[str]:
        model = payload.get("model")

        def ev(delta: dict[str, Any], finish: str | None = None) -> str:
            chunk = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(chunk)}\n\n"

        out = [ev({"role": "assistant", "content": ""})]
        if self.behaviour.tool_call:
            args = self.behaviour.tool_call["arguments"]
            out.append(
                ev(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": self.behaviour.tool_call["name"], "arguments": ""},
                            }
                        ]
                    }
                )
            )
            out += [ev({"tool_calls": [{"index": 0, "function": {"arguments": args[i : i + 5]}}]}) for i in range(0, len(args), 5)]
            out.append(ev({}, "tool_calls"))
        else:
            out += [ev({"content": c}) for c in self.behaviour.chunks]
            out.append(ev({}, "stop"))
        usage: dict[str, Any] = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": model,
            "choices": [],
            "usage": {"prompt_tokens": 5, "completion_tokens": len(self.behaviour.chunks), "total_tokens": 5 + len(self.behaviour.chunks)},
        }
        out.append(f"data: {json.dumps(usage)}\n\n")
        out.append("data: [DONE]\n\n")
        return out

    def _anthropic_events(self, payload: dict[str, Any]) -> list[str]:
        def ev(kind: str, data: dict[str, Any]) -> str:
            return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"

        out = [
            ev(
                "message_start",
                {"message": {"id": "msg_1", "model": payload.get("model"), "usage": {"input_tokens": 7, "output_tokens": 0}}},
            )
        ]
        if self.behaviour.tool_call:
            args = self.behaviour.tool_call["arguments"]
            out.append(
                ev(
                    "content_block_start",
                    {
                        "index": 0,
                        "content_block": {"type": "tool_use", "id": "toolu_1", "name": self.behaviour.tool_call["name"], "input": {}},
                    },
                )
            )
            out += [
                ev("content_block_delta", {"index": 0, "delta": {"type": "input_json_delta", "partial_json": args[i : i + 5]}})
                for i in range(0, len(args), 5)
            ]
            stop = "tool_use"
        else:
            out.append(ev("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}))
            out += [ev("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": c}}) for c in self.behaviour.chunks]
            stop = "end_turn"
        out.append(ev("content_block_stop", {"index": 0}))
        out.append(ev("message_delta", {"delta": {"stop_reason": stop}, "usage": {"output_tokens": 4}}))
        out.append(ev("message_stop", {}))
        return out
