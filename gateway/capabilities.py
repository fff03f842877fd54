"""What each model of a provider can do, as the router reads it: its context window, its
quality per task type (policies.classification.task.TASKS) and which kinds of request it makes
(an embeddings model makes only embeddings).

Stored as data on the provider (Provider.model_caps), validated here with a message for the
household. What is not said falls back to the provider's own figures: its one quality, its
image and tool flags; an unknown context window limits nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.classification.task import DIFFICULTIES, TASKS

# The quality (1-10, the household's scale) a model needs for a task of this difficulty.
# The one place the difficulty meets the catalogue: bench/routing.py judges by it too.
NEEDED = {"simple": 3, "moderate": 6, "hard": 8}
assert set(NEEDED) == set(DIFFICULTIES)
# What an answer may take besides the prompt, when the request does not say (max_tokens).
ANSWER_TOKENS = 512
KINDS = ("chat", "completion", "embedding")  # gateway.choices.Kind's values
CHARS_PER_TOKEN = 4  # a cautious estimate for English and the European languages


class CapsError(ValueError):
    """Capabilities that cannot be accepted, with a message for the household."""


@dataclass(frozen=True)
class Caps:
    """One model's capabilities; a field left out is the provider's own figure."""

    context: int = 0  # tokens, prompt and answer together; 0: not known
    quality: Mapping[str, int] = field(default_factory=dict)  # per task type, 1 to 10
    makes: frozenset[str] = frozenset()  # the kinds of request it answers (KINDS); empty: every kind

    def answers(self, kind: str) -> bool:
        return not self.makes or kind in self.makes

    def quality_for(self, task: str, default: int) -> int:
        return self.quality.get(task, default)

    def fits(self, tokens: int) -> bool:
        return not self.context or tokens <= self.context


NO_CAPS = Caps()


def parse(raw: Any, models: list[str]) -> dict[str, Caps]:
    """Validate a provider's model_caps: {model: {context: N, quality: {task: 1-10}, makes: [kind, ...]}}."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        raise CapsError("capabilities must map model names to what each can do, e.g. {m: {context: 32768, quality: {code: 7}}}")
    out: dict[str, Caps] = {}
    for model, spec in raw.items():
        if model not in models:
            raise CapsError(f"capabilities name the model '{model}', which this provider does not list")
        if not isinstance(spec, Mapping):
            raise CapsError(f"the capabilities of '{model}' must be a mapping with context and quality")
        unknown = sorted(set(spec) - {"context", "quality", "makes"})
        if unknown:
            raise CapsError(f"unknown capability {', '.join(unknown)} for '{model}'; capabilities are context, quality and makes")
        context = spec.get("context", 0)
        if isinstance(context, bool) or not isinstance(context, int) or not 0 <= context <= 100_000_000:
            raise CapsError(f"the context window of '{model}' must be a whole number of tokens")
        makes = spec.get("makes", [])
        if not isinstance(makes, list) or not all(isinstance(k, str) and k in KINDS for k in makes) or ("makes" in spec and not makes):
            raise CapsError(f"what '{model}' makes must be a list of some of {', '.join(KINDS)}, e.g. [embedding]")
        out[str(model)] = Caps(context, quality_scores(spec.get("quality", {}), f"'{model}'"), frozenset(makes))
    return out


def quality_scores(raw: Any, whose: str) -> dict[str, int]:
    """Validate a quality per task type, 1 to 10 ({code: 7}); `whose` names it in the message."""
    if not isinstance(raw, Mapping):
        raise CapsError(f"the quality of {whose} must map task types to 1-10, e.g. {{code: 7}}")
    for task, score in raw.items():
        if task not in TASKS:
            raise CapsError(f"unknown task type {task}; task types are {', '.join(TASKS)}")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 10:
            raise CapsError(f"the quality of {whose} for {task} must be a whole number from 1 to 10")
    return {str(t): int(s) for t, s in raw.items()}


def tokens_of(prompt_chars: int, max_tokens: Any) -> int:
    """Estimate what a request takes of a context window: its prompt and its answer."""
    answer = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens > 0 else ANSWER_TOKENS
    return -(-prompt_chars // CHARS_PER_TOKEN) + answer
