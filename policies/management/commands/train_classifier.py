"""Retrain the sensitivity classifier from the repository's dataset, reproducibly."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Regenerate the dataset (optional), retrain the ONNX classifier, write its hash and model card."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--regenerate",
            action="store_true",
            help="rebuild train/heldout JSONL from the templates first",
        )
        parser.add_argument(
            "--tasks",
            action="store_true",
            help="train the task-type and difficulty model instead (tasks.onnx)",
        )
        parser.add_argument(
            "--minilm",
            metavar="JSON",
            help="design (b) figures (compare_minilm output) for the model card",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from policies.classification import reset
        from policies.classification.card import write_model_card
        from policies.classification.training import MODEL_DIR, train

        if options["tasks"]:
            self._tasks(options["regenerate"])
            return
        if options["regenerate"]:
            from policies.classification.data.generate import main as generate

            generate()
        result = train()
        reset()
        write_model_card(result, MODEL_DIR / "MODEL_CARD.md", minilm_json=options.get("minilm"))
        self.stdout.write(
            f"trained on {result['train']} examples; held-out macro F1 {result['macro_f1']:.3f}; "
            f"{result['ms_per_call']:.3f} ms/call; sha256 {result['sha256']}"
        )

    def _tasks(self, regenerate: bool) -> None:
        from policies.classification import task
        from policies.classification.task_training import train, write_card_section
        from policies.classification.training import MODEL_DIR

        if regenerate:
            from policies.classification.data.tasks_generate import main as generate

            generate()
        result = train()
        task.reset()
        write_card_section(result, MODEL_DIR / "MODEL_CARD.md")
        self.stdout.write(
            f"trained on {result['train']} examples; held-out macro F1 task {result['tasks'].macro_f1:.3f},"
            f" difficulty {result['difficulty'].macro_f1:.3f}; {result['ms_per_call']:.3f} ms/call; sha256 {result['sha256']}"
        )
