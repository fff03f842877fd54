"""Validation of request bodies against the OpenAI API's shape.

Only known fields are accepted, and only the ones that shape the answer are passed on:
no field of a request can choose where it is sent or with which key. The body to forward
is built anew from the fields this module knows, at every level: a field the API does not
know inside a message, a content part, a tool call, a tool or a response format is dropped
(clients replay whole response objects, with `annotations`, `audio` and the like, so
refusing them would break ordinary clients), and nothing unknown leaves the box. Every
string that is forwarded is one that policies.segments screens.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from policies.segments import segments

from .choices import Kind
from .errors import ApiError, invalid

ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
PART_TYPES = {"text", "image_url", "refusal"}
# Audio and files cannot be screened as text or as images here: accepting them would send
# what nobody looked at.
UNSCREENABLE_PARTS = {"input_audio", "file"}
MAX_DEPTH = 32  # nesting of a JSON schema or of tool-call arguments; ordinary ones use a few
MAX_BODY_DEPTH = 64  # nesting of the whole body


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
    if _too_deep(data, MAX_BODY_DEPTH):
        raise invalid(f"The request body is nested more than {MAX_BODY_DEPTH} levels deep.", code="too_deep")
    return data


def _too_deep(value: Any, limit: int) -> bool:
    """Whether a JSON value nests lists and objects more than `limit` levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


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


def _user(name: str, value: Any) -> None:
    """Check `user`, which is never forwarded.

    It names a person or an account to the provider (often an e-mail address), and the
    provider uses it only to tell a service's end users apart for abuse monitoring; to a
    provider the box is one client. A stable stand-in would still link a household's
    requests to each other at the provider, so nothing is sent in its place.
    """
    if not isinstance(value, str) or len(value) > 256:
        raise invalid(f"'{name}' must be a string of at most 256 characters.", name)


def _schema_object(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"'{where}' must be a JSON schema object.", where)
    if _too_deep(value, MAX_DEPTH):
        raise invalid(f"'{where}' is nested more than {MAX_DEPTH} levels deep.", where, "too_deep")
    return value


def _optional_text(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(f"'{where}' must be a string.", where)
    return value


def _tools(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > 128:
        raise invalid(f"'{name}' must be a list of at most 128 tools.", name)
    tools = []
    for i, tool in enumerate(value):
        where = f"{name}[{i}]"
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
            raise invalid(f"'{where}' must be a function tool.", where)
        if not isinstance(fn.get("name"), str) or not fn["name"]:
            raise invalid(f"'{where}.function.name' must be a non-empty string.", where)
        clean: dict[str, Any] = {"name": fn["name"]}
        if fn.get("description") is not None:
            clean["description"] = _optional_text(f"{where}.function.description", fn["description"])
        if fn.get("parameters") is not None:
            clean["parameters"] = _schema_object(f"{where}.function.parameters", fn["parameters"])
        if fn.get("strict") is not None:
            clean["strict"] = _boolean(f"{where}.function.strict", fn["strict"])
        tools.append({"type": "function", "function": clean})
    return tools


def _tool_choice(name: str, value: Any) -> Any:
    if isinstance(value, str) and value in ("auto", "none", "required"):
        return value
    fn = value.get("function") if isinstance(value, dict) else None
    if isinstance(fn, dict) and isinstance(fn.get("name"), str) and value.get("type", "function") == "function":
        return {"type": "function", "function": {"name": fn["name"]}}
    raise invalid(f"'{name}' must be auto, none, required or a named function.", name)


def _response_format(name: str, value: Any) -> dict[str, Any]:
    kind = value.get("type") if isinstance(value, dict) else None
    if kind in ("text", "json_object"):
        return {"type": kind}
    described = value.get("json_schema") if isinstance(value, dict) else None
    if kind != "json_schema" or not isinstance(described, dict):
        raise invalid(f"'{name}' must be of type text, json_object, or json_schema with a 'json_schema' object.", name)
    if not isinstance(described.get("name"), str) or not described["name"]:
        raise invalid(f"'{name}.json_schema.name' must be a non-empty string.", name)
    clean: dict[str, Any] = {"name": described["name"]}
    if described.get("description") is not None:
        clean["description"] = _optional_text(f"{name}.json_schema.description", described["description"])
    if described.get("schema") is not None:
        clean["schema"] = _schema_object(f"{name}.json_schema.schema", described["schema"])
    if described.get("strict") is not None:
        clean["strict"] = _boolean(f"{name}.json_schema.strict", described["strict"])
    return {"type": "json_schema", "json_schema": clean}


def _logit_bias(name: str, value: Any) -> dict[str, float]:
    # Token ids and numbers only: nothing in it is text, so nothing in it needs screening.
    if not isinstance(value, dict) or len(value) > 1024:
        raise invalid(f"'{name}' must map at most 1024 token ids to numbers.", name)
    for token, bias in value.items():
        if not (token.isascii() and token.isdigit() and len(token) <= 7):
            raise invalid(f"'{name}' keys must be token ids (digits).", name)
        _number(-100, 100)(f"{name}.{token}", bias)
    return value


SAMPLING: dict[str, Callable[[str, Any], Any]] = {
    "temperature": _number(0, 2),
    "top_p": _number(0, 1),
    "presence_penalty": _number(-2, 2),
    "frequency_penalty": _number(-2, 2),
    "seed": _integer(-(2**63), 2**63 - 1),
    "stop": _stop,
    "max_tokens": _max_tokens,
    "logit_bias": _logit_bias,
}
CHAT_ONLY: dict[str, Callable[[str, Any], Any]] = {
    "max_completion_tokens": _max_tokens,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "parallel_tool_calls": _boolean,
    "response_format": _response_format,
    "logprobs": _boolean,
    "top_logprobs": _integer(0, 20),
}
# Accepted so that ordinary clients work, and not forwarded: they would ask a provider
# to keep data (store, metadata), identify a person to it (user), or are Hearth's own
# business (stream_options, n).
ACCEPTED_NOT_FORWARDED = {"stream", "stream_options", "n", "store", "metadata", "service_tier", "user"}


def _collect(data: Mapping[str, Any], checkers: Mapping[str, Callable[[str, Any], Any]], required: set[str]) -> dict[str, Any]:
    allowed = set(checkers) | ACCEPTED_NOT_FORWARDED | required
    for name in data:
        if name not in allowed:
            raise invalid(f"Unrecognized request argument supplied: {name}", name, "unknown_parameter")
    if data.get("user") is not None:
        _user("user", data["user"])
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


def _part(where: str, part: Any) -> dict[str, Any]:
    """Check one content part; return it with only the fields the API knows."""
    ptype = part.get("type") if isinstance(part, dict) else None
    if isinstance(ptype, str) and ptype in UNSCREENABLE_PARTS:
        raise invalid(
            f"'{where}' is {ptype}: this box cannot screen audio or files, so it does not accept them.", where, "unsupported_content"
        )
    if not isinstance(ptype, str) or ptype not in PART_TYPES:
        raise invalid(f"'{where}.type' must be one of {', '.join(sorted(PART_TYPES))}.", where)
    assert isinstance(part, dict)
    if ptype in ("text", "refusal"):
        if not isinstance(part.get(ptype), str):
            raise invalid(f"'{where}.{ptype}' must be a string.", where)
        return {"type": ptype, ptype: part[ptype]}
    image = part.get("image_url")
    url = image.get("url") if isinstance(image, dict) else None
    if not isinstance(url, str) or not url.startswith(("data:image/", "https://", "http://")):
        raise invalid(f"'{where}.image_url.url' must be a data:image URL or an http(s) URL.", where)
    assert isinstance(image, dict)
    clean: dict[str, Any] = {"url": url}
    detail = image.get("detail")
    if detail is not None:
        if not isinstance(detail, str) or detail not in ("auto", "low", "high"):
            raise invalid(f"'{where}.image_url.detail' must be auto, low or high.", where)
        clean["detail"] = detail
    return {"type": "image_url", "image_url": clean}


def _content(i: int, role: str, content: Any) -> tuple[Any, bool]:
    """Check one message's content; return it as forwarded and whether it has images."""
    where = f"messages[{i}].content"
    if content is None:
        if role in ("assistant", "function"):
            return None, False
        raise invalid(f"'{where}' is required for a {role} message.", where)
    if isinstance(content, str):
        return content, False
    if not isinstance(content, list) or not content:
        raise invalid(f"'{where}' must be a string or a non-empty list of parts.", where)
    parts = [_part(f"{where}[{j}]", part) for j, part in enumerate(content)]
    return parts, any(p["type"] == "image_url" for p in parts)


def _function(where: str, fn: Any) -> dict[str, str]:
    """Check a called function (a tool call's, or a legacy function_call): name and JSON arguments."""
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not isinstance(fn.get("arguments", ""), str):
        raise invalid(f"'{where}' must have a string name and string arguments.", where)
    arguments = fn.get("arguments", "")
    try:
        parsed = json.loads(arguments) if arguments.lstrip().startswith(("{", "[")) else None
    except (ValueError, RecursionError):
        parsed = None  # not JSON: forwarded, and screened, as text
    if _too_deep(parsed, MAX_DEPTH):
        raise invalid(f"'{where}.arguments' is nested more than {MAX_DEPTH} levels deep.", where, "too_deep")
    return {"name": fn["name"], "arguments": arguments}


def _tool_calls(where: str, calls: Any) -> list[dict[str, Any]]:
    if not isinstance(calls, list):
        raise invalid(f"'{where}' must be a list on an assistant message.", where)
    clean = []
    for j, call in enumerate(calls):
        if not isinstance(call, dict) or call.get("type", "function") != "function":
            raise invalid(f"'{where}[{j}]' must be a function call.", where)
        out: dict[str, Any] = {"type": "function", "function": _function(f"{where}[{j}].function", call.get("function"))}
        if call.get("id") is not None:
            out = {"id": _optional_text(f"{where}[{j}].id", call["id"]), **out}
        clean.append(out)
    return clean


def _message(i: int, message: Any) -> tuple[dict[str, Any], bool]:
    """Check one message; return it with only the fields the API knows, and whether it has images."""
    where = f"messages[{i}]"
    if not isinstance(message, dict):
        raise invalid(f"'{where}' must be an object.", where)
    role = message.get("role")
    if not isinstance(role, str) or role not in ROLES:
        raise invalid(f"'{where}.role' must be one of {', '.join(sorted(ROLES))}.", f"{where}.role")
    content, images = _content(i, role, message.get("content"))
    clean: dict[str, Any] = {"role": role, "content": content}
    if message.get("name") is not None:
        name = _optional_text(f"{where}.name", message["name"])
        if len(name) > 256:
            raise invalid(f"'{where}.name' must be at most 256 characters.", f"{where}.name")
        clean["name"] = name
    if role == "assistant":
        if message.get("tool_calls") is not None:
            clean["tool_calls"] = _tool_calls(f"{where}.tool_calls", message["tool_calls"])
        if message.get("function_call") is not None:
            clean["function_call"] = _function(f"{where}.function_call", message["function_call"])
        if message.get("refusal") is not None:
            clean["refusal"] = _optional_text(f"{where}.refusal", message["refusal"])
    elif message.get("tool_calls") is not None:
        raise invalid(f"'{where}.tool_calls' must be a list on an assistant message.", where)
    if role == "tool":
        if not isinstance(message.get("tool_call_id"), str):
            raise invalid(f"'{where}.tool_call_id' is required on a tool message.", where)
        clean["tool_call_id"] = message["tool_call_id"]
    return clean, images


def _messages(data: Mapping[str, Any]) -> tuple[list[Any], bool]:
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("'messages' must be a non-empty list.", "messages")
    if len(messages) > 4096:
        raise invalid("'messages' has too many entries (at most 4096).", "messages")
    clean, images = [], False
    for i, message in enumerate(messages):
        checked, has_images = _message(i, message)
        clean.append(checked)
        images = images or has_images
    return clean, images


def _screened_chars(kind: str, body: dict[str, Any]) -> int:
    """Return the length of every text screening reads, checked against the box's limit."""
    chars = sum(len(text) for text in segments(kind, body))
    _check_prompt_size(chars)
    return chars


def chat_request(data: Mapping[str, Any]) -> ApiRequest:
    """Validate a /v1/chat/completions body."""
    model = _model(data)
    stream, include_usage = _stream_flags(data)
    messages, images = _messages(data)
    body = _collect(data, {**SAMPLING, **CHAT_ONLY}, {"model", "messages"})
    body["messages"] = messages
    return ApiRequest(Kind.CHAT, model, stream, include_usage, body, _screened_chars(Kind.CHAT, body), images)


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
    return ApiRequest(Kind.COMPLETION, model, stream, include_usage, body, _screened_chars(Kind.COMPLETION, body), False)


def _token_ids(raw: Any) -> bool:
    """Say whether an embedding input is token ids: a list of integers, or a list of such lists."""

    def ids(items: Any) -> bool:
        return isinstance(items, list) and bool(items) and all(isinstance(t, int) and not isinstance(t, bool) for t in items)

    return ids(raw) or (isinstance(raw, list) and bool(raw) and all(ids(x) for x in raw))


def embedding_request(data: Mapping[str, Any]) -> ApiRequest:
    """Validate a /v1/embeddings body."""
    model = _model(data)
    raw = data.get("input")
    inputs = [raw] if isinstance(raw, str) else raw
    if _token_ids(raw):
        # What LangChain's OpenAIEmbeddings sends by default (tiktoken's ids): not text the box can screen.
        raise invalid(
            "'input' is token ids: the box screens the text itself for personal data, so send the text "
            "(LangChain's OpenAIEmbeddings: check_embedding_ctx_length=False).",
            "input",
        )
    if not isinstance(inputs, list) or not inputs or not all(isinstance(s, str) and s for s in inputs):
        raise invalid("'input' must be a non-empty string or a list of non-empty strings.", "input")
    if len(inputs) > 2048:
        raise invalid("'input' has too many entries (at most 2048).", "input")
    chars = sum(len(s) for s in inputs)
    _check_prompt_size(chars)
    checkers = {
        "encoding_format": _json_value((str,)),
        "dimensions": _integer(1, 65536),
    }
    if data.get("encoding_format") not in (None, "float", "base64"):
        raise invalid("'encoding_format' must be float or base64.", "encoding_format")
    body = _collect(data, checkers, {"model", "input"})
    body["input"] = inputs
    return ApiRequest(Kind.EMBEDDING, model, False, False, body, chars, False)
