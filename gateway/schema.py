"""Validation of request bodies against the OpenAI API's shape.

Only known fields are accepted, and only the ones that shape the answer are passed on:
no field of a request can choose where it is sent or with which key.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .choices import Kind
from .errors import ApiError, invalid

ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
PART_TYPES = {"text", "image_url", "input_audio", "file", "refusal"}


@dataclass(frozen=True)
class ApiRequest:
    """A validated request: what to forward, and what Hearth needs to route it."""

    kind: Kind
    model: str
    stream: bool
    include_usage: bool
    body: dict[str, Any]  # the fields forwarded to the provider, `model` filled in later
    prompt_chars: int
    has_images: bool


def parse_json(raw: bytes) -> dict[str, Any]:
    """Return the JSON object in a request body, or raise an ApiError."""
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise invalid("The request body is not valid JSON.", code="invalid_json") from exc
    if not isinstance(data, dict):
        raise invalid("The request body must be a JSON object.", code="invalid_json")
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


# --- field checkers: each returns the value to forward or raises -----------------------


def _number(lo: float, hi: float) -> Callable[[str, Any], float]:
    def check(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise invalid(f"'{name}' must be a number.", name)
        if not lo <= value <= hi:
            raise invalid(f"'{name}' must be between {lo:g} and {hi:g}.", name)
        return value

    return check


def _integer(lo: int, hi: int) -> Callable[[str, Any], int]:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(f"'{name}' must be an integer.", name)
        if not lo <= value <= hi:
            raise invalid(f"'{name}' must be between {lo} and {hi}.", name)
        return value

    return check


def _max_tokens(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(f"'{name}' must be a positive integer.", name)
    if value > settings.HEARTH_MAX_TOKENS:
        raise invalid(
            f"'{name}' is {value}, more than this box allows ({settings.HEARTH_MAX_TOKENS}).",
            name,
            "max_tokens_exceeded",
        )
    return value


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise invalid(f"'{name}' must be true or false.", name)
    return value


def _stop(name: str, value: Any) -> str | list[str] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and len(value) <= 4 and all(isinstance(s, str) for s in value):
        return value
    raise invalid(f"'{name}' must be a string or a list of up to 4 strings.", name)


def _json_value(kinds: tuple[type, ...]) -> Callable[[str, Any], Any]:
    def check(name: str, value: Any) -> Any:
        if not isinstance(value, kinds):
            raise invalid(f"'{name}' has the wrong type.", name)
        return value

    return check


def _user(name: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) > 256:
        raise invalid(f"'{name}' must be a string of at most 256 characters.", name)
    return value


def _tools(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > 128:
        raise invalid(f"'{name}' must be a list of at most 128 tools.", name)
    for i, tool in enumerate(value):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
            raise invalid(f"'{name}[{i}]' must be a function tool.", f"{name}[{i}]")
        if not isinstance(fn.get("name"), str) or not fn["name"]:
            raise invalid(f"'{name}[{i}].function.name' must be a non-empty string.", f"{name}[{i}]")
        if "parameters" in fn and not isinstance(fn["parameters"], dict):
            raise invalid(f"'{name}[{i}].function.parameters' must be an object.", f"{name}[{i}]")
    return value


def _tool_choice(name: str, value: Any) -> Any:
    if value in ("auto", "none", "required"):
        return value
    if isinstance(value, dict) and isinstance((value.get("function") or {}).get("name"), str):
        return value
    raise invalid(f"'{name}' must be auto, none, required or a named function.", name)


SAMPLING: dict[str, Callable[[str, Any], Any]] = {
    "temperature": _number(0, 2),
    "top_p": _number(0, 1),
    "presence_penalty": _number(-2, 2),
    "frequency_penalty": _number(-2, 2),
    "seed": _integer(-(2**63), 2**63 - 1),
    "stop": _stop,
    "max_tokens": _max_tokens,
    "logit_bias": _json_value((dict,)),
    "user": _user,
}
CHAT_ONLY: dict[str, Callable[[str, Any], Any]] = {
    "max_completion_tokens": _max_tokens,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "parallel_tool_calls": _boolean,
    "response_format": _json_value((dict,)),
    "logprobs": _boolean,
    "top_logprobs": _integer(0, 20),
}
# Accepted so that ordinary clients work, and not forwarded: they would ask a provider
# to keep data (store, metadata) or are Hearth's own business (stream_options, n).
ACCEPTED_NOT_FORWARDED = {"stream", "stream_options", "n", "store", "metadata", "service_tier"}


def _collect(data: Mapping[str, Any], checkers: Mapping[str, Callable[[str, Any], Any]], required: set[str]) -> dict[str, Any]:
    allowed = set(checkers) | ACCEPTED_NOT_FORWARDED | required
    for name in data:
        if name not in allowed:
            raise invalid(f"Unrecognized request argument supplied: {name}", name, "unknown_parameter")
    body = {}
    for name, check in checkers.items():
        if name in data and data[name] is not None:
            body[name] = check(name, data[name])
    return body


def _model(data: Mapping[str, Any]) -> str:
    model = data.get("model")
    if not isinstance(model, str) or not model or len(model) > 200:
        raise invalid("'model' must be a non-empty string; use hearth-auto to let Hearth choose.", "model")
    return model


def _stream_flags(data: Mapping[str, Any]) -> tuple[bool, bool]:
    stream = data.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise invalid("'stream' must be true or false.", "stream")
    n = data.get("n", 1)
    if n not in (1, None):
        raise invalid("Only n=1 is supported.", "n")
    options = data.get("stream_options") or {}
    if not isinstance(options, dict):
        raise invalid("'stream_options' must be an object.", "stream_options")
    include_usage = options.get("include_usage", False)
    if not isinstance(include_usage, bool):
        raise invalid("'stream_options.include_usage' must be true or false.", "stream_options")
    return stream, include_usage


def _check_prompt_size(chars: int) -> None:
    if chars > settings.HEARTH_MAX_PROMPT_CHARS:
        raise ApiError(
            400,
            f"The prompt is {chars} characters long, more than this box accepts ({settings.HEARTH_MAX_PROMPT_CHARS}).",
            "invalid_request_error",
            "context_length_exceeded",
            "messages",
        )


def _content(i: int, role: str, content: Any) -> tuple[int, bool]:
    """Check one message's content; return its text length and whether it has images."""
    where = f"messages[{i}].content"
    if content is None:
        if role in ("assistant", "function"):
            return 0, False
        raise invalid(f"'{where}' is required for a {role} message.", where)
    if isinstance(content, str):
        return len(content), False
    if not isinstance(content, list) or not content:
        raise invalid(f"'{where}' must be a string or a non-empty list of parts.", where)
    chars, images = 0, False
    for j, part in enumerate(content):
        ptype = part.get("type") if isinstance(part, dict) else None
        if ptype not in PART_TYPES:
            raise invalid(f"'{where}[{j}].type' must be one of {', '.join(sorted(PART_TYPES))}.", where)
        assert isinstance(part, dict)
        if ptype == "text":
            if not isinstance(part.get("text"), str):
                raise invalid(f"'{where}[{j}].text' must be a string.", where)
            chars += len(part["text"])
        elif ptype == "image_url":
            url = part.get("image_url")
            url = url.get("url") if isinstance(url, dict) else None
            if not isinstance(url, str) or not url.startswith(("data:image/", "https://", "http://")):
                raise invalid(f"'{where}[{j}].image_url.url' must be a data:image URL or an http(s) URL.", where)
            images = True
    return chars, images


def _messages(data: Mapping[str, Any]) -> tuple[list[Any], int, bool]:
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("'messages' must be a non-empty list.", "messages")
    if len(messages) > 4096:
        raise invalid("'messages' has too many entries (at most 4096).", "messages")
    total, images = 0, False
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise invalid(f"'messages[{i}]' must be an object.", f"messages[{i}]")
        role = message.get("role")
        if role not in ROLES:
            raise invalid(f"'messages[{i}].role' must be one of {', '.join(sorted(ROLES))}.", f"messages[{i}].role")
        chars, has_images = _content(i, role, message.get("content"))
        total, images = total + chars, images or has_images
        calls = message.get("tool_calls")
        if calls is not None:
            if role != "assistant" or not isinstance(calls, list):
                raise invalid(f"'messages[{i}].tool_calls' must be a list on an assistant message.", f"messages[{i}]")
            for call in calls:
                fn = call.get("function") if isinstance(call, dict) else None
                if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not isinstance(fn.get("arguments", ""), str):
                    raise invalid(f"'messages[{i}].tool_calls' holds a malformed call.", f"messages[{i}]")
                total += len(fn.get("arguments", ""))
        if role == "tool" and not isinstance(message.get("tool_call_id"), str):
            raise invalid(f"'messages[{i}].tool_call_id' is required on a tool message.", f"messages[{i}]")
    _check_prompt_size(total)
    return messages, total, images


def chat_request(data: Mapping[str, Any]) -> ApiRequest:
    """Validate a /v1/chat/completions body."""
    model = _model(data)
    stream, include_usage = _stream_flags(data)
    messages, chars, images = _messages(data)
    body = _collect(data, {**SAMPLING, **CHAT_ONLY}, {"model", "messages"})
    body["messages"] = messages
    return ApiRequest(Kind.CHAT, model, stream, include_usage, body, chars, images)


def completion_request(data: Mapping[str, Any]) -> ApiRequest:
    """Validate a /v1/completions body."""
    model = _model(data)
    stream, include_usage = _stream_flags(data)
    prompt = data.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise invalid("'prompt' must be a string.", "prompt")
    _check_prompt_size(len(prompt))
    checkers = {**SAMPLING, "echo": _boolean, "suffix": _json_value((str,)), "logprobs": _integer(0, 5)}
    body = _collect(data, checkers, {"model", "prompt"})
    body["prompt"] = prompt
    return ApiRequest(Kind.COMPLETION, model, stream, include_usage, body, len(prompt), False)


def embedding_request(data: Mapping[str, Any]) -> ApiRequest:
    """Validate a /v1/embeddings body."""
    model = _model(data)
    raw = data.get("input")
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not inputs or not all(isinstance(s, str) and s for s in inputs):
        raise invalid("'input' must be a non-empty string or a list of non-empty strings.", "input")
    if len(inputs) > 2048:
        raise invalid("'input' has too many entries (at most 2048).", "input")
    chars = sum(len(s) for s in inputs)
    _check_prompt_size(chars)
    checkers = {
        "encoding_format": _json_value((str,)),
        "dimensions": _integer(1, 65536),
        "user": _user,
    }
    if data.get("encoding_format") not in (None, "float", "base64"):
        raise invalid("'encoding_format' must be float or base64.", "encoding_format")
    body = _collect(data, checkers, {"model", "input"})
    body["input"] = inputs
    return ApiRequest(Kind.EMBEDDING, model, False, False, body, chars, False)
