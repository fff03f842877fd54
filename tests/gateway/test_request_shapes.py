"""Request bodies are checked against the API's shapes: what is malformed gets a 400 in the
OpenAI error shape, and what the API does not know is not forwarded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import schema
from gateway.errors import ApiError
from tests.support import bodies

ASK = {"model": "hearth-auto", "messages": [{"role": "user", "content": "hi"}]}


def _refused(data: dict[str, Any]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        schema.chat_request(data)
    return caught.value


@pytest.mark.parametrize("role", [{"name": "user"}, ["user"], [], 5, None, True])
def test_a_role_that_is_not_a_string_gets_a_400_in_the_openai_shape(role: Any) -> None:
    error = _refused({**ASK, "messages": [{"role": role, "content": "hi"}]})
    assert error.status == 400
    body = error.body()["error"]
    assert body["type"] == "invalid_request_error" and body["param"] == "messages[0].role" and "role" in str(body["message"])


@pytest.mark.parametrize("ptype", [{"t": 1}, ["text"], None, 3])
def test_a_part_type_that_is_not_a_string_gets_a_400(ptype: Any) -> None:
    assert _refused({**ASK, "messages": [{"role": "user", "content": [{"type": ptype, "text": "x"}]}]}).status == 400


@pytest.mark.parametrize(
    "part", [{"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}, {"type": "file", "file": {"file_data": "AAAA"}}]
)
def test_audio_and_files_are_refused_because_nothing_can_screen_them(part: dict[str, Any]) -> None:
    error = _refused({**ASK, "messages": [{"role": "user", "content": [part]}]})
    assert error.status == 400 and error.code == "unsupported_content"


def test_fields_the_api_does_not_know_inside_messages_are_not_forwarded() -> None:
    message = {"role": "assistant", "content": "x", "annotations": ["maria.lopez@example.org"], "audio": None, "x_secret": "s"}
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}", "extra": "e"}, "extra": "e"}
    messages = [
        {**message, "tool_calls": [call]},
        {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"k": "v"}}]},
    ]
    body = schema.chat_request({**ASK, "messages": messages}).body
    assert body["messages"] == [
        {
            "role": "assistant",
            "content": "x",
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        },
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
    ]


def test_fields_the_api_does_not_know_inside_tools_and_response_format_are_not_forwarded() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}, "x": "y"}, "cache_control": {}}
    response_format = {"type": "json_schema", "json_schema": {"name": "n", "schema": {"type": "object"}, "x": "y"}, "x": "y"}
    body = schema.chat_request({**ASK, "tools": [tool], "response_format": response_format}).body
    assert body["tools"] == [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    assert body["response_format"] == {"type": "json_schema", "json_schema": {"name": "n", "schema": {"type": "object"}}}


@pytest.mark.parametrize(
    ("validate", "field"),
    [
        (schema.chat_request, {"messages": ASK["messages"]}),
        (schema.completion_request, {"prompt": "hi"}),
        (schema.embedding_request, {"input": "hi"}),
    ],
)
def test_user_is_accepted_and_never_forwarded(validate: Any, field: dict[str, Any]) -> None:
    assert "user" not in validate({"model": "m", "user": "maria.lopez@example.org", **field}).body


def test_a_user_that_is_not_a_string_gets_a_400() -> None:
    assert _refused({**ASK, "user": {"id": 1}}).status == 400


def test_logit_bias_takes_only_token_ids_and_numbers() -> None:
    assert schema.chat_request({**ASK, "logit_bias": {"50256": -100}}).body["logit_bias"] == {"50256": -100}
    assert _refused({**ASK, "logit_bias": {"maria.lopez@example.org": 1}}).status == 400
    assert _refused({**ASK, "logit_bias": {"1": {"a": "b"}}}).status == 400


def test_a_tool_schema_nested_too_deep_gets_a_400() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(schema.MAX_DEPTH + 1):
        deep = {"type": "array", "items": deep}
    error = _refused({**ASK, "tools": [{"type": "function", "function": {"name": "f", "parameters": deep}}]})
    assert error.status == 400 and error.code == "too_deep"


def test_a_body_nested_too_deep_gets_a_400_before_anything_reads_it() -> None:
    raw = b'{"model": "m", "metadata": ' + b'{"a": ' * 100 + b"1" + b"}" * 100 + b', "messages": []}'
    with pytest.raises(ApiError) as caught:
        schema.parse_json(raw)
    assert caught.value.status == 400 and caught.value.code == "too_deep"


def test_tool_definitions_count_towards_the_prompt_size(settings: Any) -> None:
    settings.HEARTH_MAX_PROMPT_CHARS = 100
    tool = {"type": "function", "function": {"name": "f", "description": "x" * 200}}
    assert _refused({**ASK, "tools": [tool]}).code == "context_length_exceeded"


# --- fuzz: any JSON value in any field of a valid body gets a result or a 400 -------------

ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies.chat_bodies(bodies.free_text(), images=True), st.data())
def test_any_value_in_any_field_of_a_chat_body_gets_an_answer_or_a_400(body: dict[str, Any], data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(body)[1:]))
    mutated = _replaced(body, path, data.draw(ANY_JSON))
    try:
        checked = schema.chat_request(mutated)
    except ApiError as exc:
        assert exc.status in (400, 404) and exc.body()["error"]["message"]
    else:
        json.dumps(checked.body)  # what is forwarded is plain JSON


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies.chat_bodies(bodies.free_text()), st.data())
def test_a_field_added_anywhere_inside_a_message_is_dropped_or_refused(body: dict[str, Any], data: st.DataObject) -> None:
    containers = [p for p in _paths(body["messages"]) if isinstance(_at(body["messages"], p), dict)]
    path = data.draw(st.sampled_from(containers))
    mutated = json.loads(json.dumps(body))
    _at(mutated["messages"], path)["x_unknown_field"] = "maria.lopez@example.org"
    try:
        checked = schema.chat_request(mutated)
    except ApiError as exc:
        assert exc.status == 400
    else:
        assert "x_unknown_field" not in json.dumps(checked.body["messages"])


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@pytest.mark.parametrize("tokens", [[9906, 1917], [[9906, 1917], [15339]]])
def test_embedding_input_as_token_ids_is_refused_with_what_to_send_instead(tokens: Any) -> None:
    with pytest.raises(ApiError) as caught:
        schema.embedding_request({"model": "m", "input": tokens})
    assert caught.value.status == 400 and caught.value.param == "input"
    assert "send the text (LangChain's OpenAIEmbeddings: check_embedding_ctx_length=False)" in caught.value.message


@pytest.mark.parametrize("bad", [[], [[]], [1, "a"], [[1], "a"], [True, False], [[1.5]]])
def test_embedding_input_that_is_neither_text_nor_token_ids_gets_the_plain_error(bad: Any) -> None:
    with pytest.raises(ApiError) as caught:
        schema.embedding_request({"model": "m", "input": bad})
    assert caught.value.status == 400 and "must be a non-empty string or a list of non-empty strings" in caught.value.message
