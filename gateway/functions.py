"""OpenAI's legacy function calling (`functions`, `function_call`), served as tools.

Extended OpenAI Conversation (Home Assistant) sends these fields unless its "Use Tools"
option is on. Providers and the rest of Hearth speak tools only, so a legacy request is
translated into tools on its way in, before it is validated and screened, and its answer
back into a function call on its way out.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import invalid

LEGACY_FIELDS = ("functions", "function_call")


def is_legacy(data: dict[str, Any]) -> bool:
    """Return whether a chat body uses the legacy function-calling fields."""
    return any(name in data for name in LEGACY_FIELDS)


def to_tools(data: dict[str, Any]) -> dict[str, Any]:
    """Return a legacy chat body as the same request in tools."""
    if "tools" in data or "tool_choice" in data:
        raise invalid("Send either functions and function_call or tools and tool_choice, not both.", "functions")
    out = {k: v for k, v in data.items() if k not in LEGACY_FIELDS}
    functions = data.get("functions")
    if functions is not None:
        if not isinstance(functions, list):
            raise invalid("'functions' must be a list of function definitions.", "functions")
        out["tools"] = [{"type": "function", "function": f} for f in functions]
    choice = data.get("function_call")
    if choice in ("auto", "none"):
        out["tool_choice"] = choice
    elif isinstance(choice, dict) and isinstance(choice.get("name"), str):
        out["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
    elif choice is not None:
        raise invalid('\'function_call\' must be auto, none or {"name": "<function>"}.', "function_call")
    if isinstance(data.get("messages"), list):
        out["messages"] = _messages(data["messages"])
    return out


def _messages(messages: list[Any]) -> list[Any]:
    """Turn assistant function calls into tool calls, and function results into tool messages answering them."""
    out: list[Any] = []
    last_call = ""
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            out.append(message)
        elif message.get("role") == "assistant" and isinstance(message.get("function_call"), dict):
            call = message["function_call"]
            last_call = f"call_{i}"  # legacy calls have no id: each gets one its result can name
            function = {"name": call.get("name"), "arguments": call.get("arguments", "")}
            out.append(
                {
                    **{k: v for k, v in message.items() if k != "function_call"},
                    "tool_calls": [{"id": last_call, "type": "function", "function": function}],
                }
            )
        elif message.get("role") == "function":
            out.append({"role": "tool", "tool_call_id": last_call or f"call_{i}", "content": message.get("content") or ""})
        else:
            out.append(message)
    return out


def whole_answer(data: str) -> str:
    """Return a chat completion (JSON text) with its tool call as a legacy function call."""
    response = json.loads(data)
    for choice in response.get("choices") or []:
        message = choice.get("message")
        if isinstance(message, dict):
            calls = message.pop("tool_calls", None) or []
            if calls:
                function = calls[0].get("function") or {}
                message["function_call"] = {"name": function.get("name", ""), "arguments": function.get("arguments", "")}
        _finish(choice)
    return json.dumps(response)


def stream_chunk(data: str) -> str:
    """Return a stream chunk (JSON text) with its tool-call delta as a legacy function-call delta.

    The legacy API has one call per answer: deltas of any further parallel call are left out.
    """
    chunk = json.loads(data)
    for choice in chunk.get("choices") or []:
        delta = choice.get("delta")
        if isinstance(delta, dict):
            calls = delta.pop("tool_calls", None) or []
            first = [c for c in calls if isinstance(c, dict) and c.get("index", 0) == 0]
            if first:
                function = first[0].get("function") or {}
                delta["function_call"] = {k: function[k] for k in ("name", "arguments") if k in function}
        _finish(choice)
    return json.dumps(chunk)


def _finish(choice: dict[str, Any]) -> None:
    if choice.get("finish_reason") == "tool_calls":
        choice["finish_reason"] = "function_call"
