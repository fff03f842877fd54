"""Ollama's chat API (/api/tags, /api/chat), translated to and from OpenAI's chat shapes.

Home Assistant's Ollama integration speaks only this API. A request is turned into an
OpenAI chat body, validated, screened and routed like any other; the answer is turned back
into Ollama's newline-delimited JSON. Ollama's model management (pull, push, create,
delete, copy) is not served: the box's models are chosen in its own pages.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from .errors import invalid

LATEST = ":latest"
# Ollama's options that have an OpenAI field; the rest (num_ctx, keep_alive, ...) tune its
# own runner and mean nothing to another engine.
OPTIONS = {"temperature": "temperature", "top_p": "top_p", "num_predict": "max_tokens", "seed": "seed", "stop": "stop"}


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def tags(names: list[str]) -> dict[str, Any]:
    """Return /api/tags for the model names a device may use."""
    stamp = now()
    models = [
        {"name": n, "model": n, "modified_at": stamp, "size": 0, "digest": "", "details": {"format": "", "family": "hearth"}} for n in names
    ]
    return {"models": models}


def model_name(name: Any) -> Any:
    """Return Hearth's model name for an Ollama one (which carries a tag, `:latest` by default)."""
    return name.removesuffix(LATEST) if isinstance(name, str) else name


def to_openai(data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Return an Ollama chat body as an OpenAI chat body, and whether it streams (Ollama's default)."""
    stream = data.get("stream", True)
    if not isinstance(stream, bool):
        raise invalid("'stream' must be true or false.", "stream")
    out: dict[str, Any] = {"model": model_name(data.get("model")), "messages": _messages(data.get("messages")), "stream": stream}
    if stream:
        out["stream_options"] = {"include_usage": True}  # for the counts of the closing line
    if data.get("tools") is not None:
        out["tools"] = data["tools"]
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise invalid("'options' must be an object.", "options")
    out |= {OPTIONS[k]: v for k, v in options.items() if k in OPTIONS and v is not None}
    fmt = data.get("format")
    if fmt == "json":
        out["response_format"] = {"type": "json_object"}
    elif isinstance(fmt, dict):
        out["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": fmt}}
    return out, stream


def _messages(messages: Any) -> Any:
    if not isinstance(messages, list):
        return messages  # the OpenAI validation says what is wrong
    out: list[Any] = []
    pending: list[tuple[str, str]] = []  # (call id, function name) not yet answered by a tool message
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            out.append(message)
            continue
        role, content = message.get("role"), message.get("content")
        converted: dict[str, Any] = {"role": role, "content": content}
        images = message.get("images")
        if images:
            if not isinstance(images, list) or not all(isinstance(b, str) for b in images):
                raise invalid(f"'messages[{i}].images' must be a list of base64 strings.", f"messages[{i}]")
            parts: list[dict[str, Any]] = [{"type": "text", "text": content}] if isinstance(content, str) and content else []
            parts += [{"type": "image_url", "image_url": {"url": "data:image/png;base64," + b}} for b in images]
            converted["content"] = parts
        calls = message.get("tool_calls")
        if role == "assistant" and isinstance(calls, list) and calls:
            converted["tool_calls"] = []
            for j, call in enumerate(calls):
                fn = call.get("function") if isinstance(call, dict) else None
                if not isinstance(fn, dict):
                    raise invalid(f"'messages[{i}].tool_calls' holds a malformed call.", f"messages[{i}]")
                # Ollama's calls have no id: each gets one that its result can name.
                call_id = f"call_{i}_{j}"
                arguments = fn.get("arguments")
                text = arguments if isinstance(arguments, str) else json.dumps(arguments if arguments is not None else {})
                converted["tool_calls"].append({"id": call_id, "type": "function", "function": {"name": fn.get("name"), "arguments": text}})
                pending.append((call_id, str(fn.get("name") or "")))
            converted["content"] = content or None
        elif role == "tool":
            name = message.get("tool_name") or message.get("name")
            match = next((p for p in pending if p[1] == name), pending[0] if pending else (f"call_{i}", ""))
            if match in pending:
                pending.remove(match)
            converted["tool_call_id"] = match[0]
        out.append(converted)
    return out


def _arguments(text: str) -> Any:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}  # Ollama's calls carry an object; an engine's broken JSON cannot become one


def _tool_calls(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"function": {"name": c.get("name", ""), "arguments": _arguments(c.get("arguments", ""))}} for c in calls]


def _done(line: dict[str, Any], finish: str | None, usage: dict[str, Any], started: float) -> dict[str, Any]:
    return {
        **line,
        "done": True,
        "done_reason": "length" if finish == "length" else "stop",
        "total_duration": int((time.monotonic() - started) * 1e9),
        "prompt_eval_count": int(usage.get("prompt_tokens") or 0),
        "eval_count": int(usage.get("completion_tokens") or 0),
    }


def whole(data: str, model: str, started: float) -> dict[str, Any]:
    """Return an OpenAI chat completion (JSON text) as Ollama's non-streamed answer."""
    response = json.loads(data)
    choice = (response.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    out: dict[str, Any] = {"role": "assistant", "content": message.get("content") or ""}
    calls = [c.get("function") or {} for c in message.get("tool_calls") or []]
    if calls:
        out["tool_calls"] = _tool_calls(calls)
    line = {"model": model, "created_at": now(), "message": out}
    return _done(line, choice.get("finish_reason"), response.get("usage") or {}, started)


class StreamTranslation:
    """OpenAI stream chunks in, Ollama's stream lines out.

    Ollama sends each tool call whole, its arguments an object: fragments are gathered and
    the calls go out in one line when the answer finishes.
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self.started = time.monotonic()
        self.calls: dict[int, dict[str, str]] = {}
        self.finish: str | None = None
        self.usage: dict[str, Any] = {}

    def _line(self, message: dict[str, Any]) -> dict[str, Any]:
        return {"model": self.model, "created_at": now(), "message": {"role": "assistant", **message}, "done": False}

    def chunk(self, data: str) -> list[dict[str, Any]]:
        """Return the lines for one OpenAI stream chunk (JSON text)."""
        chunk = json.loads(data)
        self.usage = chunk.get("usage") or self.usage
        lines = []
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("content"):
                lines.append(self._line({"content": delta["content"]}))
            for call in delta.get("tool_calls") or []:
                gathered = self.calls.setdefault(call.get("index", 0), {"name": "", "arguments": ""})
                fn = call.get("function") or {}
                gathered["name"] += fn.get("name") or ""
                gathered["arguments"] += fn.get("arguments") or ""
            self.finish = choice.get("finish_reason") or self.finish
        return lines

    def end(self) -> list[dict[str, Any]]:
        """Return the closing lines: the gathered tool calls, then the done line."""
        lines = []
        if self.calls:
            lines.append(self._line({"content": "", "tool_calls": _tool_calls([self.calls[i] for i in sorted(self.calls)])}))
        lines.append(_done(self._line({"content": ""}), self.finish, self.usage, self.started))
        return lines
