"""Replace personal data with typed placeholders and put the real values back in answers.

The value map lives only in the memory of the object serving one request: it is never
logged, never pickled (so it cannot end up in a Celery message), never stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import NoReturn

from policies.detectors import HouseholdTerm, Span, detect
from policies.normalize import normalize

PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*?)_(\d{1,6})>")


def _canonical(kind: str, value: str) -> str:
    """Return the form under which two spellings of one value count as the same value."""
    text = normalize(value).text
    if kind in ("CARD", "IBAN", "PHONE", "NATIONAL_ID", "MAC"):
        return "".join(ch for ch in text if ch.isalnum()).upper()
    return " ".join(text.split()).casefold()


class Redactor:
    """One request's placeholder map: redact the prompt, restore the answer."""

    __slots__ = (
        "_by_value",
        "_counters",
        "_detector",
        "_household",
        "_kinds",
        "_map",
        "_reserved",
    )

    def __init__(
        self,
        household_terms: Sequence[HouseholdTerm] = (),
        *,
        kinds: Sequence[str] | None = None,
        detector: Callable[[str, Sequence[HouseholdTerm]], list[Span]] = detect,
    ) -> None:
        self._household = tuple(household_terms)
        self._kinds = frozenset(kinds) if kinds is not None else None
        self._detector = detector
        self._map: dict[str, str] = {}  # placeholder -> original value
        self._by_value: dict[tuple[str, str], str] = {}  # (kind, canonical value) -> placeholder
        self._counters: dict[str, int] = {}
        self._reserved: set[str] = set()  # placeholder-shaped text the client itself sent

    # --- never leave the process ---------------------------------------------------------
    def __reduce__(self) -> NoReturn:
        raise TypeError("a Redactor holds personal data and must not be pickled")

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a Redactor holds personal data and must not be pickled")

    def __getstate__(self) -> NoReturn:
        raise TypeError("a Redactor holds personal data and must not be pickled")

    def __repr__(self) -> str:
        return f"<Redactor placeholders={len(self._map)}>"

    # --- redaction -----------------------------------------------------------------------
    def _placeholder_for(self, kind: str, value: str) -> str:
        key = (kind, _canonical(kind, value))
        existing = self._by_value.get(key)
        if existing is not None:
            return existing
        n = self._counters.get(kind, 0)
        while True:
            n += 1
            candidate = f"<{kind}_{n}>"
            if candidate not in self._reserved:
                break
        self._counters[kind] = n
        self._map[candidate] = value
        self._by_value[key] = candidate
        return candidate

    def spans(self, text: str) -> list[Span]:
        """Return the spans this redactor would replace in text."""
        found = self._detector(text, self._household)
        if self._kinds is not None:
            found = [s for s in found if s.kind in self._kinds]
        return found

    def redact(self, text: str) -> str:
        """Return text with each sensitive span replaced by its typed placeholder."""
        for m in PLACEHOLDER.finditer(text):
            if m.group(0) not in self._map:
                self._reserved.add(m.group(0))
        out: list[str] = []
        pos = 0
        for span in self.spans(text):
            out.append(text[pos : span.start])
            out.append(self._placeholder_for(span.kind, text[span.start : span.end]))
            pos = span.end
        out.append(text[pos:])
        return "".join(out)

    def counts(self) -> dict[str, int]:
        """Return kind -> number of distinct values redacted so far (never the values)."""
        result: dict[str, int] = {}
        for kind, _ in self._by_value:
            result[kind] = result.get(kind, 0) + 1
        return result

    # --- restoration ---------------------------------------------------------------------
    def _value(self, placeholder: str, json_escape: bool) -> str | None:
        value = self._map.get(placeholder)
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False)[1:-1] if json_escape else value

    def restore(self, text: str, *, json_escape: bool = False) -> str:
        """Return text with this request's placeholders replaced by the real values."""

        def sub(m: re.Match[str]) -> str:
            value = self._value(m.group(0), json_escape)
            return m.group(0) if value is None else value

        return PLACEHOLDER.sub(sub, text)

    def stream_restorer(self, *, json_escape: bool = False) -> StreamRestorer:
        """Return a restorer for one streamed text (or one tool call's argument string)."""
        return StreamRestorer(self, json_escape=json_escape)

    def _is_prefix(self, fragment: str) -> bool:
        return any(p.startswith(fragment) for p in self._map)


class StreamRestorer:
    """Restore placeholders in a stream, holding back only what could start one."""

    __slots__ = ("_buf", "_json", "_redactor")

    def __init__(self, redactor: Redactor, *, json_escape: bool = False) -> None:
        self._redactor = redactor
        self._json = json_escape
        self._buf = ""

    def __reduce__(self) -> NoReturn:
        raise TypeError("a StreamRestorer holds personal data and must not be pickled")

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a StreamRestorer holds personal data and must not be pickled")

    def feed(self, chunk: str) -> str:
        """Return the restored text that is safe to send now."""
        buf = self._buf + chunk
        out: list[str] = []
        i = 0
        while True:
            j = buf.find("<", i)
            if j == -1:
                out.append(buf[i:])
                self._buf = ""
                break
            out.append(buf[i:j])
            m = PLACEHOLDER.match(buf, j)
            if m is not None:
                value = self._redactor._value(m.group(0), self._json)
                out.append(m.group(0) if value is None else value)
                i = m.end()
                continue
            rest = buf[j:]
            if self._redactor._is_prefix(rest):
                self._buf = rest  # could still become a placeholder: wait for more
                break
            out.append("<")
            i = j + 1
        return "".join(out)

    def flush(self) -> str:
        """Return whatever is held back at the end of the stream."""
        rest, self._buf = self._buf, ""
        return rest
