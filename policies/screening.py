"""Screening a request before it is routed: sensitivity labels, personal-data spans,
people and faces in images. Fails closed: anything that goes wrong keeps the request home."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from policies import classification
from policies.classification import task as tasks
from policies.detectors import HouseholdTerm, Span, detect
from policies.segments import image_urls, segments

log = logging.getLogger(__name__)


class Screening(TypedDict):
    """What screening found, as plain data for a Celery message: never a value."""

    labels: list[tuple[str, float]]  # the labels that count (at or above 0.5, or the top one)
    # Every label's confidence, for rules with their own thresholds: each sensitive label's
    # highest over the request's parts; general never above 1 minus the highest of those.
    scores: dict[str, float]
    chars: int
    version: str
    spans: list[tuple[int, str, int, int]]  # segment, kind, start, end
    people: int
    faces: int
    failed: str  # why screening failed, empty when it did not
    # What the request asks for and how hard it is (policies.classification.task), for the router.
    # Not required only so that a message queued before they existed still reads; screen(),
    # not_screened() and the envelope's codec always set them.
    task: NotRequired[str]
    difficulty: NotRequired[str]


@dataclass(eq=False)  # not frozen: leaving a `with` block sets the exception's __traceback__
class Failed(Exception):
    reason: str


class _Expired(BaseException):
    """The screening deadline's timer fired.

    Not an Exception, as KeyboardInterrupt is not: the timer can fire anywhere, inside a
    library's own `except Exception` (onnxruntime's call, spaCy's), which would otherwise
    record a late request as a classifier failure.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def not_screened(reason: str, kind: str = "chat", has_images: bool = False) -> Screening:
    """Return the screening of a request that could not be screened: treat it as most sensitive."""
    task, difficulty = default_task(kind, has_images)
    return {
        "labels": [], "scores": {}, "chars": 0, "version": "", "spans": [], "people": 0, "faces": 0, "failed": reason,
        "task": task, "difficulty": difficulty,
    }  # fmt: skip


def default_task(kind: str, has_images: bool) -> tuple[str, str]:
    """Return the task and difficulty of a request whose words were not read: the structural ones, or chat."""
    if kind == "embedding":
        return "embed", "simple"
    return ("vision" if has_images else tasks.DEFAULT_TASK), tasks.DEFAULT_DIFFICULTY


def user_words(kind: str, body: dict[str, Any]) -> list[str]:
    """Return what the user asked in their own words: the last user message's text, or the prompt."""
    if kind == "completion":
        prompt = body.get("prompt")
        return [prompt] if isinstance(prompt, str) else [p for p in prompt or [] if isinstance(p, str)]
    if kind != "chat":
        return []
    for message in reversed(body.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return [content]
        return [p["text"] for p in content or [] if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)]
    return []


def _estimate(kind: str, body: dict[str, Any], has_images: bool) -> tasks.TaskEstimate:
    """Return the task estimate; a failure of the task model does not fail screening (it only sizes the model)."""
    try:
        return tasks.estimate(user_words(kind, body), kind=kind, has_images=has_images)
    except classification.ClassificationError as exc:
        log.warning("task estimate failed: %s", type(exc).__name__)
        task, difficulty = default_task(kind, has_images)
        return tasks.TaskEstimate(task, difficulty, 0.0)


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise Failed when the block runs longer than `seconds`.

    The classify worker's main thread is interrupted by a timer; elsewhere (the admin's
    simulator runs in a web thread, where signals cannot be set) the block runs to its end
    and fails afterwards if it was over, so both give the same answer.
    """
    late = f"classification took longer than {seconds * 1000:.0f} ms"
    if threading.current_thread() is not threading.main_thread():
        started = time.perf_counter()
        yield
        if time.perf_counter() - started > seconds:
            raise Failed(late)
        return

    def expired(signum: int, frame: Any) -> None:
        raise _Expired(late)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _image_bytes(url: str) -> bytes | None:
    if not url.startswith("data:"):
        return None  # a remote image is not fetched by the box; it is labelled unknown
    try:
        return base64.b64decode(url.partition(",")[2], validate=True)
    except (binascii.Error, ValueError):
        raise Failed("an image could not be decoded") from None


_FOUND: OrderedDict[tuple[bytes, int], tuple[Span, ...]] = OrderedDict()
_FOUND_MAX = 4096
_FOUND_LOCK = threading.Lock()


def _detect_once(text: str, terms: Sequence[HouseholdTerm], terms_key: int) -> tuple[Span, ...]:
    """Return detect()'s spans, remembered by a digest of the text for the next requests.

    A conversation sends the same system prompt, tool definitions and earlier turns with
    every message (Home Assistant: 50-70 segments a turn); scanning them again each time
    cost most of the screening budget. Only a digest and the spans' kinds and offsets are
    kept, never the text or a value.
    """
    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), terms_key)
    with _FOUND_LOCK:  # the simulator screens in web threads
        found = _FOUND.get(key)
        if found is not None:
            _FOUND.move_to_end(key)
            return found
    found = tuple(detect(text, terms))
    with _FOUND_LOCK:
        _FOUND[key] = found
        if len(_FOUND) > _FOUND_MAX:
            _FOUND.popitem(last=False)
    return found


def screen(
    kind: str, body: dict[str, Any], budget_seconds: float, household: Callable[[], Sequence[HouseholdTerm]] | None = None
) -> Screening:
    """Classify and scan a request within a time budget; fail closed.

    `household`: returns the household's private terms (policies.terms); called inside the
    budget, so a failure to read them keeps the request home like any other.
    """
    started = time.perf_counter()
    has_images = False
    try:
        with _deadline(budget_seconds):
            has_images = kind == "chat" and bool(image_urls(body))
            terms = household() if household is not None else ()
            texts = segments(kind, body)
            # Each part on its own, in pieces: added text or parts can only raise a sensitive score.
            scores, version = classification.request_scores(texts)
            spans: list[tuple[int, str, int, int]] = []
            terms_key = hash(tuple(terms))
            for i, text in enumerate(texts):
                spans += [(i, s.kind, s.start, s.end) for s in _detect_once(text, terms, terms_key)]
            people = faces = 0
            for url in image_urls(body) if kind == "chat" else []:
                data = _image_bytes(url)
                if data is None:
                    raise Failed("an image is given by URL, so it could not be checked")
                from policies import images  # OpenCV: loaded by the first request with an image

                findings = images.inspect_image(data)
                people, faces = people + findings.people, faces + findings.faces
            estimate = _estimate(kind, body, has_images)
    except (Failed, _Expired) as exc:
        return not_screened(exc.reason, kind, has_images)
    except classification.ClassifierUnavailable:
        return not_screened("the classifier model is missing or damaged", kind, has_images)
    except Exception as exc:  # noqa: BLE001  (fail closed on anything)
        log.warning("screening failed: %s", type(exc).__name__)
        return not_screened(f"classification failed ({type(exc).__name__})", kind, has_images)
    log.debug("screened in %.1f ms", (time.perf_counter() - started) * 1000)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    picked = [(n, round(p, 4)) for n, p in ranked if p >= classification.THRESHOLD] or [(ranked[0][0], round(ranked[0][1], 4))]
    return {
        "labels": picked,
        "scores": {n: round(p, 4) for n, p in scores.items()},
        "chars": sum(len(t) for t in texts),
        "version": version,
        "spans": spans,
        "people": people,
        "faces": faces,
        "failed": "",
        "task": estimate.task,
        "difficulty": estimate.difficulty,
    }
