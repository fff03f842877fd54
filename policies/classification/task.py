"""What a request asks the model to do, and how hard it is: read by the router to pick the
smallest capable model (gateway.router.plan)."""

from __future__ import annotations

# The one definition of the task types and difficulties: the router's capabilities, the
# providers' per-task quality and the evaluation read these.
TASKS = ("chat", "code", "summarise", "translate", "extract", "reason", "vision", "embed")
DIFFICULTIES = ("simple", "moderate", "hard")
