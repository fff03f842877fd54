"""The household's rules in words: the list, one rule's editor, reordering, presets, YAML, "Try a request"."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gateway.simulate import Simulation, simulate
from policies import services as rule_services
from policies.models import HouseholdRule
from policies.rules import DEFAULT_RULE, RuleError, warnings

from .. import household
from ..household import currency
from ..rule_forms import RuleForm, TryForm
from ..rules_words import BUILT_IN_NAME, BUILT_IN_SENTENCE, active_preset, kind_name, label_name, sentence
from ..services import rules as rules_service
from .access import member_required, owner_required

MAX_IMPORT = 1_000_000


@dataclass(frozen=True)
class Shown:
    """One rule as the page lists it."""

    rule: HouseholdRule
    sentence: str
    warnings: list[str]
    problem: str  # a stored rule that no longer validates


def _listed(zone: str, money: str) -> tuple[list[Shown], list[str]]:
    """Return the rules in words, each with the warnings that name it, and the warnings that name none."""
    rows = list(HouseholdRule.objects.all())
    specs = []
    problems: dict[int, str] = {}
    for row in rows:
        try:
            specs.append(row.spec())
        except RuleError as exc:
            problems[row.pk] = str(exc)
    found = warnings(specs, rules_service.tiers_with_providers()) if not problems else []
    shown, claimed = [], set()
    for row in rows:
        # warnings() starts each message with the rule it concerns, quoted.
        mine = [w for w in found if w.startswith(f"'{row.name}'")]
        claimed.update(mine)
        text = "" if row.pk in problems else sentence(row.spec(), zone, money)
        shown.append(Shown(row, text, mine, problems.get(row.pk, "")))
    return shown, [w for w in found if w not in claimed]


def _page(request: HttpRequest, try_form: TryForm | None = None, result: Simulation | None = None, status: int = 200) -> HttpResponse:
    zone = household.current().zone.key
    money = currency()
    shown, unplaced = _listed(zone, money)
    stored = [{"name": r.rule.name, "enabled": r.rule.enabled, "conditions": r.rule.conditions, "actions": r.rule.actions} for r in shown]
    presets = rule_services.presets()
    context = {
        "rules": shown,
        "unplaced": unplaced,
        "built_in_name": BUILT_IN_NAME,
        "built_in_sentence": BUILT_IN_SENTENCE,
        "preset": active_preset(stored, presets),
        "presets": presets,
        "zone": zone,
        "try_form": try_form or TryForm(),
        "result": result,
        # The built-in rule is named in the page's language; the household's own rules by their names.
        "result_rule": BUILT_IN_NAME if result is None or result.rule in ("", DEFAULT_RULE.name) else result.rule,
        "result_labels": [(label_name(label), score) for label, score in result.labels] if result else [],
        "result_spans": [(kind_name(kind), text) for kind, text in result.spans] if result else [],
        "can_change": request.user.is_superuser,
    }
    return render(request, "appliance/rules.html", context, status=status)


@member_required
@require_GET
def rules_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@member_required
@require_POST
def try_request(request: HttpRequest) -> HttpResponse:
    """Apply the rules to a request as the box would, sending nothing; members may try too."""
    form = TryForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form)
    zone = household.current().zone
    # The middleware reads a typed time in the household's zone.
    moment: dt.datetime = form.cleaned_data["when"] or timezone.now()
    image = form.cleaned_data.get("image")
    image_url = f"data:{image.content_type};base64," + base64.b64encode(image.read()).decode() if image else ""
    result = simulate(form.subject(), form.cleaned_data["prompt"], moment.astimezone(zone), form.cleaned_data["presence"], image_url)
    return _page(request, form, result)


def _editor(request: HttpRequest, form: RuleForm, rule: HouseholdRule | None, status: int = 200) -> HttpResponse:
    context = {"form": form, "rule": rule, "zone": household.current().zone.key, "currency": currency()}
    return render(request, "appliance/rule_edit.html", context, status=status)


@owner_required
@require_http_methods(["GET", "POST"])
def edit_rule(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    """Add or change one rule with form controls."""
    rule = get_object_or_404(HouseholdRule, pk=rule_id) if rule_id is not None else None
    initial = RuleForm.initial_for(rule) if rule is not None else {}
    money = currency()
    if request.method != "POST":
        return _editor(request, RuleForm(initial=initial, currency=money), rule)
    form = RuleForm(request.POST, initial=initial, currency=money)
    if form.is_valid():
        try:
            saved = rules_service.save_rule(rule_id, form.rule_data)
        except RuleError as exc:
            form.add_error(None, _("This rule cannot be saved: %(error)s.") % {"error": exc})
        else:
            messages.success(request, _("Saved the rule '%(name)s'.") % {"name": saved.name})
            return HttpResponseRedirect(f"/rules/#rule-{saved.pk}")
    return _editor(request, form, rule)


@owner_required
@require_POST
def move_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Move a rule one place up or down: the reorder that needs no JavaScript."""
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""), 0)
    if step:
        rules_service.move_rule(rule_id, step)
    return HttpResponseRedirect(f"/rules/#rule-{rule_id}")


@owner_required
@require_POST
def reorder_rules(request: HttpRequest) -> HttpResponse:
    """Put the rules in the order dragged on the page (rules.js sends every rule's id in order)."""
    if not request.POST.getlist("order"):
        return HttpResponseRedirect("/rules/")  # the form posted without JavaScript carries no order
    try:
        order = [int(x) for x in request.POST.getlist("order")]
        rules_service.reorder(order)
    except (ValueError, RuleError) as exc:
        message = str(exc) if isinstance(exc, RuleError) else _("the order must be rule numbers")
        return JsonResponse({"error": message}, status=400)
    return JsonResponse({"order": order})


@owner_required
@require_POST
def remove_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    rules_service.remove_rule(rule_id)
    messages.success(request, _("The rule was removed."))
    return HttpResponseRedirect("/rules/")


@owner_required
@require_POST
def apply_preset(request: HttpRequest) -> HttpResponse:
    """Replace every rule with a preset."""
    try:
        count = rules_service.apply_preset(request.POST.get("preset", ""))
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        # Translators: the English says "rules" for one too; translate the singular as your language says it.
        said = ngettext(
            "The preset replaced the rules: %(n)d rules; tiers without a provider were lowered.",
            "The preset replaced the rules: %(n)d rules; tiers without a provider were lowered.",
            count,
        )
        messages.success(request, said % {"n": count})
    return HttpResponseRedirect("/rules/")


@member_required
@require_GET
def export_rules(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(rule_services.export_yaml(), content_type="application/yaml")
    response["Content-Disposition"] = 'attachment; filename="hearth-rules.yaml"'
    return response


@owner_required
@require_POST
def import_rules(request: HttpRequest) -> HttpResponse:
    """Replace the rules with a YAML file's (a bad file changes nothing)."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a YAML file exported from a Hearth box."))
        return HttpResponseRedirect("/rules/#import")
    try:
        count = rules_service.import_rules(upload.read(MAX_IMPORT).decode("utf-8", "replace"))
    except RuleError as exc:
        messages.error(request, _("Nothing was changed: %(error)s.") % {"error": exc})
        return HttpResponseRedirect("/rules/#import")
    # Translators: the English says "rules" for one too; translate the singular as your language says it.
    said = ngettext("The rules were replaced by the file's %(n)d rules.", "The rules were replaced by the file's %(n)d rules.", count)
    messages.success(request, said % {"n": count})
    return HttpResponseRedirect("/rules/")
