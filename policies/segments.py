"""The strings of a request body that leave the house, in one fixed order: what is
classified, scanned for personal data and, on its way out of the house, redacted.

This is the one place that says which strings of a body are screened. The body has been
validated first (gateway.schema keeps only the fields the API knows, so nothing unknown
reaches this walk or a provider). Every string a provider can receive is visited once:

- chat: per message, in order, its `name`, its content (a string, or the text and
  refusal parts), `refusal`, each tool call's id, function name and arguments, a legacy
  `function_call`, `tool_call_id`; then each tool's name, description and parameters
  schema; the named `tool_choice`; `response_format`'s json_schema name, description
  and schema; `stop`.
- completion: `prompt`, `suffix`, `stop`. embedding: each `input`.

Tool-call arguments (and a tool message whose content is a JSON object or list) are
decoded, and each key and string value inside is its own segment: a value written with
JSON escapes (`\\u0040`) is screened as the provider will read it, and a changed value is
encoded again (left as it came when nothing changed). Arguments that are not JSON are one
text. Integers of seven digits or more in such values are screened as text too (a card or
phone number written as a number); one that is replaced becomes a string.

A JSON schema (tool parameters, response format) is walked at any depth: descriptions,
titles and comments, property names (`properties`, `patternProperties`, `$defs`,
`required`, ...) and every string in `enum`, `const`, `default`, `examples` and in any
keyword this walk does not know. Property names are strings that leave, so they are
screened like any other (a property named after a child is rare, and a leak cannot be
undone); a replaced name is replaced the same way in `required`, and a tool call that
uses the placeholder gets the real name back when the answer is restored. Each enum value
is its own segment: rewriting must put each value back in its own place.

The only strings not screened are values from closed vocabularies that carry nothing of
the household: JSON-schema `type` and `format` names, and what gateway.schema checks
against fixed lists (roles, part and tool types, `response_format.type`, tool_choice
modes, image detail). Image URLs are not text: a data: URL is checked as an image, and an
image given by URL keeps the request home (screening cannot fetch it).

Each segment has a role: "text" (something written: content, descriptions, values) or
"name" (an identifier: function, property and message names, ids, `$ref`), so screening
can weigh a bare identifier differently from a sentence.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Rewrite = Callable[[int, str], str]
Role = Literal["text", "name"]

MAX_DEPTH = 64  # gateway.schema refuses deeper schemas and arguments; this walk fails closed past it
BIG_INT = 10**6  # integers from here on (seven digits) can be a phone, card or id number

TYPE_NAMES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
FORMAT_NAMES = frozenset(
    {
        "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6",
        "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template", "json-pointer",
        "relative-json-pointer", "regex", "int32", "int64", "float", "double", "byte", "binary", "password",
    }
)  # fmt: skip
_SCHEMA_TEXT = frozenset({"description", "title", "$comment"})
_SCHEMA_NAMED = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_SCHEMA_ONE = frozenset(
    {
        "items", "additionalProperties", "additionalItems", "not", "if", "then", "else", "contains",
        "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema",
    }
)  # fmt: skip
_SCHEMA_MANY = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_REFS = frozenset({"$ref", "$dynamicRef", "$anchor", "$dynamicAnchor", "$id", "$schema"})
_KEYWORDS = (
    _SCHEMA_TEXT | _SCHEMA_NAMED | _SCHEMA_ONE | _SCHEMA_MANY | _SCHEMA_REFS
    | {"type", "format", "required", "dependentRequired", "enum", "const", "default", "examples"}
    | {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
       "pattern", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "minContains",
       "maxContains", "contentEncoding", "contentMediaType", "readOnly", "writeOnly", "deprecated", "nullable", "strict"}
)  # fmt: skip


class TooDeep(ValueError):
    """A body nested deeper than the walk follows: screening fails closed on it."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One string of a request: where it is, what it says, and whether it is a name."""

    path: str
    text: str
    role: Role


class _Walk:
    def __init__(self, rewrite: Rewrite | None) -> None:
        self.rewrite = rewrite
        self.found: list[Segment] = []
        self.changed = 0

    # --- leaves ---------------------------------------------------------------------------
    def text(self, value: str, path: str, role: Role = "text") -> str:
        index = len(self.found)
        self.found.append(Segment(path, value, role))
        if self.rewrite is None:
            return value
        out = self.rewrite(index, value)
        if out != value:
            self.changed += 1
        return out

    def field(self, obj: Any, key: str, path: str, role: Role = "text") -> None:
        if isinstance(obj, dict) and isinstance(obj.get(key), str):
            obj[key] = self.text(obj[key], f"{path}.{key}", role)

    def names(self, values: Any, path: str) -> None:
        if isinstance(values, list):
            for i, name in enumerate(values):
                if isinstance(name, str):
                    values[i] = self.text(name, f"{path}[{i}]", "name")

    def named(self, _: str, values: Any, path: str) -> Any:
        self.names(values, path)
        return values

    def rekeyed(self, obj: dict[str, Any], path: str, walk: Callable[[str, Any, str], Any], keep: frozenset[str] = frozenset()) -> None:
        """Screen each key (but those in `keep`) and walk each value, keeping the order."""
        items: list[tuple[str, Any]] = []
        for key, value in list(obj.items()):
            new_key = key if key in keep else self.text(key, f"{path}#{key}", "name")
            items.append((new_key, walk(key, value, f"{path}.{key}")))
        if self.rewrite is not None:
            obj.clear()
            obj.update(items)

    # --- JSON values (tool arguments, enum, default, examples) ----------------------------
    def value(self, value: Any, path: str, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise TooDeep(path)
        if isinstance(value, str):
            return self.text(value, path)
        if isinstance(value, bool) or not isinstance(value, (int, list, dict)):
            return value
        if isinstance(value, int):
            if abs(value) < BIG_INT:
                return value
            out = self.text(str(value), path)
            return value if out == str(value) else out
        if isinstance(value, list):
            for i, item in enumerate(value):
                value[i] = self.value(item, f"{path}[{i}]", depth + 1)
            return value
        self.rekeyed(value, path, lambda _, v, p: self.value(v, p, depth + 1))
        return value

    def json_text(self, obj: Any, key: str, path: str) -> None:
        """Screen a string holding JSON (tool arguments) value by value; as one text if it is not JSON."""
        if not isinstance(obj, dict) or not isinstance(obj.get(key), str):
            return
        raw = obj[key]
        parsed = _json_container(raw)
        if parsed is None:
            obj[key] = self.text(raw, f"{path}.{key}")
            return
        before = self.changed
        parsed = self.value(parsed, f"{path}.{key}")
        if self.changed != before:
            obj[key] = json.dumps(parsed, ensure_ascii=False)

    # --- JSON schemas ---------------------------------------------------------------------
    def schema(self, schema: Any, path: str, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise TooDeep(path)
        if isinstance(schema, list):  # `items` as a list, in older drafts
            for i, item in enumerate(schema):
                schema[i] = self.schema(item, f"{path}[{i}]", depth + 1)
            return schema
        if not isinstance(schema, dict):
            return schema  # true / false schemas

        def keyword(kw: str, value: Any, where: str) -> Any:
            if kw in _SCHEMA_TEXT and isinstance(value, str):
                return self.text(value, where)
            if kw in _SCHEMA_NAMED and isinstance(value, dict):
                self.rekeyed(value, where, lambda _, v, p: self.schema(v, p, depth + 1))
                return value
            if kw in _SCHEMA_ONE or kw in _SCHEMA_MANY:
                return self.schema(value, where, depth + 1)
            if kw in _SCHEMA_REFS and isinstance(value, str):
                return self.text(value, where, "name")
            if kw == "required":
                self.names(value, where)
                return value
            if kw == "dependentRequired" and isinstance(value, dict):
                self.rekeyed(value, where, self.named)
                return value
            if kw == "type" and all(isinstance(t, str) and t in TYPE_NAMES for t in (value if isinstance(value, list) else [value])):
                return value
            if kw == "format" and isinstance(value, str) and value in FORMAT_NAMES:
                return value
            # enum, const, default, examples, pattern, and any keyword not known here:
            # every string in it is screened.
            return self.value(value, where, depth + 1)

        self.rekeyed(schema, path, keyword, keep=_KEYWORDS)
        return schema

    # --- request kinds --------------------------------------------------------------------
    def chat(self, body: dict[str, Any]) -> None:
        for i, message in enumerate(_list(body.get("messages"))):
            if not isinstance(message, dict):
                continue
            where = f"messages[{i}]"
            self.field(message, "name", where, "name")
            content = message.get("content")
            if isinstance(content, str):
                if message.get("role") == "tool":
                    self.json_text(message, "content", where)
                else:
                    message["content"] = self.text(content, f"{where}.content")
            for j, part in enumerate(_list(content)):
                if isinstance(part, dict) and part.get("type") in ("text", "refusal"):
                    self.field(part, part["type"], f"{where}.content[{j}]")
            self.field(message, "refusal", where)
            for j, call in enumerate(_list(message.get("tool_calls"))):
                self.field(call, "id", f"{where}.tool_calls[{j}]", "name")
                self.function(call.get("function") if isinstance(call, dict) else None, f"{where}.tool_calls[{j}].function")
            self.function(message.get("function_call"), f"{where}.function_call")
            self.field(message, "tool_call_id", where, "name")
        for k, tool in enumerate(_list(body.get("tools"))):
            fn = tool.get("function") if isinstance(tool, dict) else None
            where = f"tools[{k}].function"
            self.field(fn, "name", where, "name")
            self.field(fn, "description", where)
            if isinstance(fn, dict) and "parameters" in fn:
                fn["parameters"] = self.schema(fn["parameters"], f"{where}.parameters")
        choice = body.get("tool_choice")
        if isinstance(choice, dict):
            self.field(choice.get("function"), "name", "tool_choice.function", "name")
        response_format = body.get("response_format")
        described = response_format.get("json_schema") if isinstance(response_format, dict) else None
        if isinstance(described, dict):
            self.field(described, "name", "response_format.json_schema", "name")
            self.field(described, "description", "response_format.json_schema")
            if "schema" in described:
                described["schema"] = self.schema(described["schema"], "response_format.json_schema.schema")
        self.stop(body)

    def function(self, fn: Any, path: str) -> None:
        self.field(fn, "name", path, "name")
        self.json_text(fn, "arguments", path)

    def stop(self, body: dict[str, Any]) -> None:
        stop = body.get("stop")
        if isinstance(stop, str):
            body["stop"] = self.text(stop, "stop")
        sequences = _list(stop)
        for i, sequence in enumerate(sequences):
            if isinstance(sequence, str):
                sequences[i] = self.text(sequence, f"stop[{i}]")

    def completion(self, body: dict[str, Any]) -> None:
        prompt = body.get("prompt")
        if isinstance(prompt, str):
            body["prompt"] = self.text(prompt, "prompt")
        prompts = _list(prompt)
        for i, text in enumerate(prompts):
            if isinstance(text, str):
                prompts[i] = self.text(text, f"prompt[{i}]")
        if isinstance(body.get("suffix"), str):
            body["suffix"] = self.text(body["suffix"], "suffix")
        self.stop(body)

    def embedding(self, body: dict[str, Any]) -> None:
        inputs = body.get("input")
        if isinstance(inputs, str):
            body["input"] = self.text(inputs, "input")
        texts = _list(inputs)
        for i, text in enumerate(texts):
            if isinstance(text, str):
                texts[i] = self.text(text, f"input[{i}]")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _reject(name: str) -> Any:
    raise ValueError(name)


def _json_container(raw: str) -> dict[str, Any] | list[Any] | None:
    """Return the object or list a string holds as JSON, else None."""
    if not raw.lstrip().startswith(("{", "[")):
        return None
    try:
        parsed = json.loads(raw, parse_constant=_reject)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, (dict, list)) else None


def _walk(kind: str, body: dict[str, Any], rewrite: Rewrite | None) -> list[Segment]:
    walk = _Walk(rewrite)
    if kind == "chat":
        walk.chat(body)
    elif kind == "completion":
        walk.completion(body)
    elif kind == "embedding":
        walk.embedding(body)
    else:
        raise ValueError(f"unknown request kind {kind!r}")
    return walk.found


def located(kind: str, body: dict[str, Any]) -> list[Segment]:
    """Return the segments of a request, in order, with where each one is and its role."""
    return _walk(kind, body, None)


def segments(kind: str, body: dict[str, Any]) -> list[str]:
    """Return the texts of a request, in order."""
    return [s.text for s in _walk(kind, body, None)]


def rewritten(kind: str, body: dict[str, Any], rewrite: Rewrite) -> dict[str, Any]:
    """Return a copy of the body with each text i replaced by rewrite(i, text)."""
    clone = copy.deepcopy(body)
    _walk(kind, clone, rewrite)
    return clone


def image_urls(body: dict[str, Any]) -> list[str]:
    """Return the image URLs of a chat request's content parts."""
    urls = []
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            urls += [p["image_url"]["url"] for p in content if p.get("type") == "image_url"]
    return urls
