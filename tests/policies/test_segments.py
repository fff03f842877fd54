"""Every string a request forwards is one segment: screened, and rewritten in place on its way out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import schema
from policies.segments import BIG_INT, TooDeep, located, rewritten, segments
from tests.support import bodies

MARK = re.compile(r"⟦(\d+)⟧")
TEXT = bodies.free_text().filter(lambda t: "⟦" not in t)
VALIDATORS: dict[str, Callable[[dict[str, Any]], schema.ApiRequest]] = {
    "chat": schema.chat_request,
    "completion": schema.completion_request,
    "embedding": schema.embedding_request,
}
REQUESTS = st.one_of(
    bodies.chat_bodies(TEXT, images=True).map(lambda b: ("chat", b)),
    bodies.completion_bodies(TEXT).map(lambda b: ("completion", b)),
    bodies.embedding_bodies(TEXT).map(lambda b: ("embedding", b)),
)


def _forwarded(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Return the body as gateway.schema forwards it (what the worker redacts and sends)."""
    return VALIDATORS[kind](raw).body


def _decodes(path: str, body: dict[str, Any]) -> bool:
    """Whether the string at this path is JSON that segments reads value by value."""
    if path.endswith(".arguments"):
        return True
    found = re.fullmatch(r"messages\[(\d+)\]\.content", path)
    return bool(found) and body["messages"][int(found.group(1))]["role"] == "tool"


def _leaves(value: Any, path: str, body: dict[str, Any]) -> Iterator[tuple[str, Any, bool]]:
    """Yield (path, leaf, is_key) for every key and scalar, with JSON strings decoded where segments decodes them."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}#{key}", key, True
            yield from _leaves(item, f"{path}.{key}".lstrip("."), body)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]", body)
    elif isinstance(value, str) and _decodes(path, body) and value.lstrip().startswith(("{", "[")):
        try:
            decoded = json.loads(value)
        except ValueError:
            yield path, value, False
        else:
            yield from _leaves(decoded, path + "~", body)
    else:
        yield path, value, False


def _marked(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return rewritten(kind, body, lambda i, text: f"⟦{i}⟧")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REQUESTS)
def test_every_string_a_request_forwards_is_visited_exactly_once(request: tuple[str, dict[str, Any]]) -> None:
    kind, raw = request
    body = _forwarded(kind, raw)
    count = len(segments(kind, body))
    marked = _marked(kind, body)
    seen: list[int] = []
    for path, leaf, is_key in _leaves(marked, "", marked):
        if isinstance(leaf, str) and MARK.fullmatch(leaf):
            seen.append(int(MARK.fullmatch(leaf).group(1)))  # type: ignore[union-attr]
        elif is_key:
            assert leaf in bodies.API_KEYS | bodies.SCHEMA_KEYWORDS, f"the key at {path} left unscreened"
        elif isinstance(leaf, str):
            assert leaf in bodies.VOCABULARY or leaf == bodies.IMAGE, f"the string at {path} left unscreened"
        else:
            assert isinstance(leaf, bool) or not isinstance(leaf, int) or abs(leaf) < BIG_INT, f"the number at {path} left unscreened"
    assert sorted(seen) == list(range(count)), "each segment is rewritten once, in its own place"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REQUESTS)
def test_rewriting_each_string_as_itself_gives_the_same_body(request: tuple[str, dict[str, Any]]) -> None:
    kind, raw = request
    body = _forwarded(kind, raw)
    assert rewritten(kind, body, lambda i, text: text) == body


@settings(max_examples=200, deadline=None)
@given(REQUESTS)
def test_rewrite_is_handed_the_segments_in_their_order(request: tuple[str, dict[str, Any]]) -> None:
    kind, raw = request
    body = _forwarded(kind, raw)
    handed: list[tuple[int, str]] = []
    rewritten(kind, body, lambda i, text: handed.append((i, text)) or text)  # type: ignore[func-returns-value]
    assert handed == list(enumerate(segments(kind, body)))


TOOL = {
    "type": "function",
    "function": {
        "name": "book_visit",
        "description": "Books a visit; confirmations go to maria.lopez@example.org.",
        "parameters": {
            "type": "object",
            "properties": {
                "phone": {"type": "string", "description": "Call +44 20 7946 0958 if unsure.", "default": "+44 20 7946 0958"},
                "card": {"type": "string", "enum": ["4111 1111 1111 1111", "5555555555554444"], "examples": ["536-90-4399"]},
            },
            "required": ["phone"],
        },
    },
}


def _chat(**fields: Any) -> dict[str, Any]:
    return _forwarded("chat", {"model": "hearth-auto", "messages": [{"role": "user", "content": "Book it."}], **fields})


def test_tool_descriptions_defaults_enums_and_examples_are_segments() -> None:
    texts = segments("chat", _chat(tools=[TOOL]))
    for value in ("Books a visit; confirmations go to maria.lopez@example.org.", "Call +44 20 7946 0958 if unsure.", "+44 20 7946 0958"):
        assert value in texts
    assert {"4111 1111 1111 1111", "5555555555554444", "536-90-4399"} <= set(texts), "each enum and example value is its own segment"


def test_schema_type_and_format_names_are_not_segments() -> None:
    tool = {
        "type": "function",
        "function": {"name": "f", "parameters": {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}}}},
    }
    assert segments("chat", _chat(tools=[tool])) == ["Book it.", "f", "when"]


def test_a_type_outside_the_json_schema_names_is_screened() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "maria.lopez@example.org"}}}
    assert "maria.lopez@example.org" in segments("chat", _chat(tools=[tool]))


def test_a_property_renamed_on_the_way_out_is_renamed_in_required_too() -> None:
    tool = {
        "type": "function",
        "function": {"name": "f", "parameters": {"type": "object", "properties": {"Finn": {"type": "string"}}, "required": ["Finn"]}},
    }
    out = rewritten("chat", _chat(tools=[tool]), lambda i, t: t.replace("Finn", "<HOUSEHOLD_1>"))
    parameters = out["tools"][0]["function"]["parameters"]
    assert list(parameters["properties"]) == ["<HOUSEHOLD_1>"] and parameters["required"] == ["<HOUSEHOLD_1>"]


def test_a_keyword_the_walk_does_not_know_is_screened_whole() -> None:
    tool = {
        "type": "function",
        "function": {"name": "f", "parameters": {"type": "object", "x-owner": {"contact": "maria.lopez@example.org"}}},
    }
    texts = segments("chat", _chat(tools=[tool]))
    assert "x-owner" in texts and "contact" in texts and "maria.lopez@example.org" in texts


def _call(arguments: str) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function", "function": {"name": "send", "arguments": arguments}}
    return _forwarded(
        "chat",
        {"model": "m", "messages": [{"role": "assistant", "content": None, "tool_calls": [call]}, {"role": "user", "content": "ok"}]},
    )


def test_tool_call_arguments_are_screened_as_the_provider_reads_them() -> None:
    body = _call('{"to": "maria.lopez\\u0040example.org"}')
    assert "maria.lopez@example.org" in segments("chat", body), "a JSON escape does not hide the value"


def test_tool_call_arguments_are_encoded_again_only_when_a_value_changed() -> None:
    raw = '{"to":  "x",\n "n": 1}'
    assert rewritten("chat", _call(raw), lambda i, t: t)["messages"][0]["tool_calls"][0]["function"]["arguments"] == raw
    out = rewritten("chat", _call(raw), lambda i, t: "<EMAIL_1>" if t == "x" else t)
    assert json.loads(out["messages"][0]["tool_calls"][0]["function"]["arguments"]) == {"to": "<EMAIL_1>", "n": 1}


def test_arguments_that_are_not_json_are_one_text() -> None:
    assert "to maria.lopez@example.org" in segments("chat", _call("to maria.lopez@example.org"))


def test_a_long_number_in_arguments_is_screened_and_replaced_by_its_placeholder() -> None:
    body = _call('{"card": 4111111111111111, "count": 2}')
    assert "4111111111111111" in segments("chat", body) and "2" not in segments("chat", body)
    out = rewritten("chat", body, lambda i, t: "<CARD_1>" if t == "4111111111111111" else t)
    assert json.loads(out["messages"][0]["tool_calls"][0]["function"]["arguments"]) == {"card": "<CARD_1>", "count": 2}


def test_a_json_tool_result_is_screened_value_by_value() -> None:
    messages = [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "who", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c", "content": '{"email": "maria.lopez\\u0040example.org"}'},
        {"role": "user", "content": "ok"},
    ]
    body = _forwarded("chat", {"model": "m", "messages": messages})
    assert "maria.lopez@example.org" in segments("chat", body)


def test_names_ids_response_format_and_stop_are_segments() -> None:
    body = _forwarded(
        "chat",
        {
            "model": "m",
            "messages": [{"role": "user", "content": "hi", "name": "maria"}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "card", "description": "about 4111 1111 1111 1111", "schema": {"type": "object"}},
            },
            "stop": ["+44 20 7946 0958"],
        },
    )
    found = {(s.path, s.role) for s in located("chat", body)}
    assert ("messages[0].name", "name") in found and ("response_format.json_schema.description", "text") in found
    assert ("stop[0]", "text") in found


def test_completion_suffix_and_stop_are_segments() -> None:
    body = _forwarded("completion", {"model": "m", "prompt": ["Dear Maria"], "suffix": "maria.lopez@example.org", "stop": "Finn"})
    assert segments("completion", body) == ["Dear Maria", "maria.lopez@example.org", "Finn"]


def test_a_body_nested_past_the_walks_depth_fails_closed() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(80):
        deep = {"anyOf": [deep]}
    body = {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function", "function": {"name": "f", "parameters": deep}}]}
    with pytest.raises(TooDeep):
        segments("chat", body)
