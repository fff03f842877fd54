"""Hypothesis strategies for request bodies as clients send them, built from the OpenAI API's
shapes: chat (every role, names, content parts, tool calls, tool results, tools with JSON
schemas, tool_choice, response_format, stop), completions and embeddings.

Each strategy takes the strategy for the free strings (every string a client chooses), so
one test fills them with anything and another with personal data.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Strings from the API's closed vocabularies: the only ones that may leave unscreened.
ROLES = ("system", "developer", "user", "assistant", "tool")
TYPE_NAMES = ("string", "number", "integer", "boolean", "object", "array", "null")
FORMATS = ("email", "date-time", "date", "uri", "uuid")
VOCABULARY = frozenset({*ROLES, *TYPE_NAMES, *FORMATS, "function", "text", "image_url", "refusal", "auto", "none", "required"})
VOCABULARY |= {"json_schema", "json_object", "low", "high"}
# Keys the forwarded body may hold that no client chose: the API's fields and JSON-schema keywords.
API_KEYS = frozenset(
    {
        "model", "messages", "role", "content", "name", "type", "text", "image_url", "url", "detail", "refusal", "tool_calls",
        "id", "function", "arguments", "tool_call_id", "function_call", "tools", "description", "parameters", "strict",
        "tool_choice", "response_format", "json_schema", "schema", "stop", "prompt", "suffix", "input",
    }
)  # fmt: skip
SCHEMA_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "description",
        "title",
        "enum",
        "default",
        "examples",
        "const",
        "format",
        "pattern",
        "items",
        "anyOf",
        "$defs",
    }
)
IMAGE = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def free_text() -> st.SearchStrategy[str]:
    """Any string a client might write, but one that reads like a word of the API's vocabulary."""
    reserved = VOCABULARY | API_KEYS | SCHEMA_KEYWORDS
    return st.text(st.characters(codec="utf-8"), min_size=1, max_size=24).filter(lambda t: t not in reserved)


def json_values(text: st.SearchStrategy[str], depth: int = 2) -> st.SearchStrategy[Any]:
    """JSON values whose keys and strings come from `text` (and numbers, some of them long)."""
    leaves = st.one_of(text, st.integers(-(10**18), 10**18), st.booleans(), st.none())
    if depth == 0:
        return leaves
    inner = json_values(text, depth - 1)
    return st.one_of(leaves, st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3))


def json_schemas(text: st.SearchStrategy[str], depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """JSON schemas with descriptions, titles, enums, defaults, examples, property names, nested schemas."""
    annotations = st.fixed_dictionaries(
        {},
        optional={
            "description": text,
            "title": text,
            "enum": st.lists(text, min_size=1, max_size=4),
            "default": json_values(text, 1),
            "examples": st.lists(json_values(text, 1), max_size=2),
            "const": text,
            "format": st.sampled_from(FORMATS),
            "pattern": text,
        },
    )
    leaf = st.builds(lambda kind, extra: {"type": kind, **extra}, st.sampled_from(("string", "integer", "boolean", "null")), annotations)
    if depth == 0:
        return leaf
    inner = json_schemas(text, depth - 1)

    def obj(props: dict[str, Any], extra: dict[str, Any], required: int) -> dict[str, Any]:
        return {"type": "object", "properties": props, "required": list(props)[:required], **extra}

    objects = st.builds(obj, st.dictionaries(text, inner, min_size=1, max_size=3), annotations, st.integers(0, 3))
    arrays = st.builds(lambda items, extra: {"type": "array", "items": items, **extra}, inner, annotations)
    unions = st.builds(lambda options: {"anyOf": options}, st.lists(inner, min_size=1, max_size=2))
    defs = st.builds(
        lambda named, extra: {"type": "object", "$defs": named, **extra}, st.dictionaries(text, inner, max_size=2), annotations
    )
    return st.one_of(leaf, objects, arrays, unions, defs)


def _content(text: st.SearchStrategy[str], images: bool) -> st.SearchStrategy[Any]:
    parts = [st.builds(lambda t: {"type": "text", "text": t}, text)]
    if images:
        parts.append(st.just({"type": "image_url", "image_url": {"url": IMAGE, "detail": "low"}}))
    return st.one_of(text, st.lists(st.one_of(*parts), min_size=1, max_size=3))


def _call(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    arguments = st.one_of(st.dictionaries(text, json_values(text, 1), max_size=3).map(json.dumps), text)
    return st.builds(
        lambda ident, name, args: {"id": ident, "type": "function", "function": {"name": name, "arguments": args}}, text, text, arguments
    )


def _extras(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Fields the API does not know, which clients add (replayed answers carry several)."""
    return st.fixed_dictionaries({}, optional={"annotations": st.lists(text, max_size=2), "x_note": text, "audio": st.just(None)})


def messages(text: st.SearchStrategy[str], images: bool = False) -> st.SearchStrategy[list[dict[str, Any]]]:
    """A conversation of every role, ending with an assistant's answer and the user's question."""
    named = st.fixed_dictionaries({}, optional={"name": text})
    system = st.builds(lambda c, n, x: {"role": "system", "content": c, **n, **x}, _content(text, False), named, _extras(text))
    user = st.builds(lambda c, n, x: {"role": "user", "content": c, **n, **x}, _content(text, images), named, _extras(text))
    assistant = st.builds(
        lambda c, calls, extra, x: {"role": "assistant", "content": c, **({"tool_calls": calls} if calls else {}), **extra, **x},
        st.one_of(st.none(), text),
        st.lists(_call(text), max_size=2),
        st.fixed_dictionaries({}, optional={"name": text, "refusal": text}),
        _extras(text),
    )
    tool_result = st.one_of(text, st.dictionaries(text, json_values(text, 1), max_size=3).map(json.dumps))
    tool = st.builds(lambda ident, c, x: {"role": "tool", "tool_call_id": ident, "content": c, **x}, text, tool_result, _extras(text))
    history = st.lists(st.one_of(system, user, assistant, tool), max_size=4)
    last = st.builds(lambda answer, question: [{"role": "assistant", "content": answer}, {"role": "user", "content": question}], text, text)
    return st.builds(lambda h, tail: h + tail, history, last)


def tools(text: st.SearchStrategy[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    tool = st.builds(
        lambda name, extra: {"type": "function", "function": {"name": name, **extra}},
        text,
        st.fixed_dictionaries({}, optional={"description": text, "parameters": json_schemas(text), "strict": st.booleans()}),
    )
    return st.lists(tool, min_size=1, max_size=2)


@st.composite
def chat_bodies(draw: st.DrawFn, text: st.SearchStrategy[str], images: bool = False) -> dict[str, Any]:
    """A /v1/chat/completions body."""
    body: dict[str, Any] = {"model": "hearth-auto", "messages": draw(messages(text, images))}
    if draw(st.booleans()):
        body["tools"] = draw(tools(text))
        names = [t["function"]["name"] for t in body["tools"]]
        body["tool_choice"] = draw(st.one_of(st.sampled_from(("auto", "none", "required")), st.sampled_from(names)))
        if body["tool_choice"] in names:
            body["tool_choice"] = {"type": "function", "function": {"name": body["tool_choice"]}}
    if draw(st.booleans()):
        schema = st.fixed_dictionaries(
            {"name": text}, optional={"description": text, "schema": json_schemas(text), "strict": st.booleans()}
        )
        body["response_format"] = {"type": "json_schema", "json_schema": draw(schema)}
    stop = draw(st.one_of(st.none(), text, st.lists(text, min_size=1, max_size=4)))
    if stop is not None:
        body["stop"] = stop
    if draw(st.booleans()):
        body["user"] = draw(text)
    return body


@st.composite
def completion_bodies(draw: st.DrawFn, text: st.SearchStrategy[str]) -> dict[str, Any]:
    """A /v1/completions body."""
    body: dict[str, Any] = {"model": "hearth-auto", "prompt": draw(st.one_of(text, text.map(lambda t: [t])))}
    optional = st.fixed_dictionaries(
        {}, optional={"suffix": text, "stop": st.one_of(text, st.lists(text, min_size=1, max_size=4)), "user": text}
    )
    return {**body, **draw(optional)}


@st.composite
def embedding_bodies(draw: st.DrawFn, text: st.SearchStrategy[str]) -> dict[str, Any]:
    """A /v1/embeddings body."""
    inputs = draw(st.one_of(text, st.lists(text, min_size=1, max_size=4)))
    return {"model": "hearth-auto", "input": inputs, **draw(st.fixed_dictionaries({}, optional={"user": text}))}
