"""The pieces of text in a request body, in one fixed order: what is classified, scanned
for personal data and, on its way out of the house, redacted."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

Rewrite = Callable[[int, str], str]


def _walk(kind: str, body: dict[str, Any], rewrite: Rewrite | None) -> Iterator[str]:
    index = 0

    def visit(text: str) -> str:
        nonlocal index
        out = rewrite(index, text) if rewrite is not None else text
        index += 1
        return out

    if kind == "chat":
        for message in body.get("messages") or []:
            content = message.get("content")
            if isinstance(content, str):
                yield content
                message["content"] = visit(content)
            elif isinstance(content, list):
                for part in content:
                    if part.get("type") == "text" and isinstance(part.get("text"), str):
                        yield part["text"]
                        part["text"] = visit(part["text"])
            for call in message.get("tool_calls") or []:
                fn = call.get("function") or {}
                if isinstance(fn.get("arguments"), str):
                    yield fn["arguments"]
                    fn["arguments"] = visit(fn["arguments"])
    elif kind == "completion":
        yield body["prompt"]
        body["prompt"] = visit(body["prompt"])
    elif kind == "embedding":
        for i, text in enumerate(body["input"]):
            yield text
            body["input"][i] = visit(text)


def segments(kind: str, body: dict[str, Any]) -> list[str]:
    """Return the texts of a request, in order."""
    return list(_walk(kind, body, None))


def rewritten(kind: str, body: dict[str, Any], rewrite: Rewrite) -> dict[str, Any]:
    """Return a copy of the body with each text i replaced by rewrite(i, text)."""
    clone = copy.deepcopy(body)
    for _ in _walk(kind, clone, rewrite):
        pass
    return clone


def image_urls(body: dict[str, Any]) -> list[str]:
    """Return the image URLs of a chat request's content parts."""
    urls = []
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            urls += [p["image_url"]["url"] for p in content if p.get("type") == "image_url"]
    return urls
