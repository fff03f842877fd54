"""Print the privacy evaluation: classifier per label, detectors per entity, leak rate."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Evaluate the classifier and the span detectors on held-out data (and, with --end-to-end, the leak rate)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--end-to-end",
            action="store_true",
            help="also send prompts through the real gateway",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="exit non-zero when a target is missed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gateway.e2e import evaluation_gateway
        from policies.evaluation import (
            PRECISION_TARGET,
            RECALL_TARGETS,
            classifier_report,
            leak_rate,
            load_spans,
            score_detector,
        )

        report, ms, version = classifier_report()
        self.stdout.write(f"Classifier {version} on held-out ({ms:.3f} ms per call)")
        self.stdout.write(f"{'label':18} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>7}")
        for label, m in report.items():
            self.stdout.write(f"{label:18} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {int(m['support']):7d}")
        scores, covered, total = score_detector(load_spans())
        missed: list[str] = []
        self.stdout.write("")
        self.stdout.write(f"{'entity':12} {'precision':>9} {'recall':>7} {'F2':>6} {'tp':>5} {'fp':>4} {'fn':>4}  target")
        for kind, s in scores.items():
            target = RECALL_TARGETS.get(kind)
            ok = s.precision >= PRECISION_TARGET and (target is None or s.recall >= target)
            if not ok:
                missed.append(kind)
            mark = f"R>={target:.2f} P>={PRECISION_TARGET:.2f} {'ok' if ok else 'MISSED'}" if target else ""
            self.stdout.write(f"{kind:12} {s.precision:9.3f} {s.recall:7.3f} {s.f2:6.3f} {s.tp:5d} {s.fp:4d} {s.fn:4d}  {mark}")
        self.stdout.write(f"gold spans covered by any redaction: {covered}/{total} ({covered / max(1, total):.3f})")
        if options["end_to_end"]:
            self.stdout.write("end-to-end: starting a throwaway box with a capture upstream …")
            reached: list[bool] = []
            with evaluation_gateway() as send:

                def counted(prompt: str) -> bytes:
                    captured = send(prompt)
                    reached.append(bool(captured))
                    return captured

                leaks = leak_rate(counted)
            # A prompt that never reached the upstream leaks nothing, and proves nothing.
            self.stdout.write(f"prompts that reached the capture upstream: {sum(reached)}/{len(reached)}")
            if not all(reached):
                missed.append("not every prompt reached the upstream")
            self.stdout.write(f"end-to-end leak rate: {leaks.leaked}/{leaks.sent} = {leaks.rate:.3f}")
            for kind, (leaked, sent) in sorted(leaks.by_kind.items()):
                self.stdout.write(f"  {kind:12} {leaked}/{sent}")
            if leaks.leaked:
                missed.append("leak")
        if missed and options["strict"]:
            raise CommandError(f"targets missed: {', '.join(missed)}")
