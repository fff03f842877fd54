"""Print the privacy evaluation: detectors on the independent set, classifier per label, generated spans, leak rate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError

from policies.evaldata.scoring import (
    ANY,
    ANY_TYPE_F2_TARGET,
    PRECISION_TARGET,
    SetScore,
    Tally,
    compatible_kinds,
)

if TYPE_CHECKING:
    from policies.evaluation import IndependentResult


def _target(t: Tally) -> tuple[str, str]:
    """Return a row's targets and whether they are met, in words."""
    parts = []
    if t.recall_target is not None:
        parts.append(f"R>={t.recall_target:.2f}")
    if t.predicted or t.recall_target is not None or t.kind == ANY:
        parts.append(f"P>={PRECISION_TARGET:.2f}")
    if t.kind == ANY:
        parts.append(f"F2>={ANY_TYPE_F2_TARGET:.2f}")
    if not parts:
        return "", ""
    return " ".join(parts), "MISSED" if t.misses() else "met"


def independent_table(score: SetScore) -> list[str]:
    """Return the per-kind and any-type table of one score, as lines."""
    head = (
        f"{'kind':15} {'counts as':22} {'gold':>5} {'found':>5} {'part':>4} {'miss':>4} {'recall':>6}"
        f" {'pred':>5} {'ok':>5} {'prec':>5} {'F2':>5}  {'target':24} met"
    )
    lines = [head]
    for t in (score.any_type, *score.per_kind.values()):
        also = "any kind" if t.kind == ANY else "+".join((t.kind, *compatible_kinds(t.kind)))
        targets, met = _target(t)
        lines.append(
            f"{t.kind:15} {also:22} {t.gold:5d} {t.found:5d} {t.partial:4d} {t.missed:4d} {t.recall:6.3f}"
            f" {t.predicted:5d} {t.correct:5d} {t.precision:5.3f} {t.f2:5.3f}  {targets:24} {met}".rstrip()
        )
    return lines


def language_table(result: IndependentResult) -> list[str]:
    """Return any-type figures and per-kind recall for each language, as lines."""
    langs = list(result.per_lang)
    lines = [f"{'per language':24} " + " ".join(f"{lang:>6}" for lang in langs)]
    rows: list[tuple[str, list[str]]] = [
        ("any recall", [f"{s.any_type.recall:6.3f}" for s in result.per_lang.values()]),
        ("any precision", [f"{s.any_type.precision:6.3f}" for s in result.per_lang.values()]),
        ("any F2", [f"{s.any_type.f2:6.3f}" for s in result.per_lang.values()]),
        ("gold spans", [f"{s.any_type.gold:6d}" for s in result.per_lang.values()]),
    ]
    for kind in result.score.per_kind:
        cells = []
        for s in result.per_lang.values():
            t = s.per_kind.get(kind)
            cells.append(f"{t.recall:6.3f}" if t is not None and t.gold else f"{'-':>6}")
        if any(c.strip() != "-" for c in cells):
            rows.append((f"{kind} recall", cells))
    lines += [f"{name:24} " + " ".join(cells) for name, cells in rows]
    return lines


class Command(BaseCommand):
    help = (
        "Evaluate the span detectors on the independent hand-labelled set, then the classifier and the"
        " generated held-out spans (and, with --end-to-end, the leak rate)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--independent-only",
            action="store_true",
            help="print only the independent set's tables",
        )
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
        from policies.evaldata.build import SPLITS
        from policies.evaluation import (
            PRECISION_TARGET,
            RECALL_TARGETS,
            classifier_report,
            evaluate_independent,
            leak_rate,
            load_spans,
            score_detector,
        )

        missed: list[str] = []
        for split in SPLITS:
            result = evaluate_independent(split=split)
            self.stdout.write(
                f"Detectors on the independent set, {split} split (hand-written, labelled by reading;"
                f" policies/evaldata/pii/README.md): {result.prompts} prompts,"
                f" {result.ms_p50:.2f} ms p50, {result.ms_p95:.2f} ms p95 per prompt"
            )
            for line in independent_table(result.score):
                self.stdout.write(line)
            self.stdout.write("")
            for line in language_table(result):
                self.stdout.write(line)
            verdict = "all targets met" if result.targets_met else "targets missed: " + "; ".join(result.misses)
            self.stdout.write(f"{split}: {verdict}")
            self.stdout.write("")
            if split == "test":
                missed += [f"independent {m}" for m in result.misses]
        if options["independent_only"]:
            if missed and options["strict"]:
                raise CommandError(f"targets missed: {', '.join(missed)}")
            return

        report, ms, version = classifier_report()
        self.stdout.write(f"Classifier {version} on held-out ({ms:.3f} ms per call)")
        self.stdout.write(f"{'label':18} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>7}")
        for label, m in report.items():
            self.stdout.write(f"{label:18} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {int(m['support']):7d}")
        self.stdout.write("")
        from policies import services
        from policies.robustness import report_lines

        lines, robustness_missed = report_lines(services.presets())
        for line in lines:
            self.stdout.write(line)
        missed += robustness_missed
        scores, covered, total = score_detector(load_spans())
        self.stdout.write("")
        self.stdout.write(
            "Detectors on the generated held-out spans (generated, same family as the detectors' tuning"
            " data: they measure the templates, not the world; not the figures we report)"
        )
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
