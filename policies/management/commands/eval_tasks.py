"""Print how well the task model reads task type and difficulty on the independent labelled prompts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

LABELLED = Path(__file__).resolve().parents[2] / "evaldata" / "tasks" / "labelled.jsonl"


class Command(BaseCommand):
    help = (
        "Evaluate the task-type and difficulty estimate on the independent labelled prompts"
        " (policies/evaldata/tasks/labelled.jsonl): per-label precision, recall, F1, support, and confusion tables."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", type=Path, default=LABELLED, help="a labelled JSONL file (text, task, difficulty)")

    def handle(self, *args: Any, **options: Any) -> None:
        from policies.classification import ClassificationError
        from policies.classification.task import version
        from policies.classification.task_eval import confusion_table, evaluate, load_labelled, table

        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"no labelled set at {path}")
        try:
            rows = load_labelled(path)
            tasks, levels = evaluate(rows)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        except ClassificationError as exc:
            raise CommandError(f"the task model could not be used: {exc}") from None
        self.stdout.write(f"Task type and difficulty on {len(rows)} labelled prompts ({path.name}), model {version()}")
        for rep in (tasks, levels):
            self.stdout.write("")
            for line in table(rep):
                self.stdout.write(line)
            self.stdout.write("")
            self.stdout.write(f"confusion, {rep.axis} (rows: as labelled, columns: as estimated)")
            for line in confusion_table(rep):
                self.stdout.write(line)
