"""The rules page's forms: one rule with form controls (never JSON), and "Try a request"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from devices.choices import Category, Tier
from devices.models import Device
from policies.classification.text import LABELS
from policies.detectors import KINDS
from policies.models import HouseholdRule
from policies.rules import DAYS, PRESENCE, REQUEST_KINDS, RuleError, parse_rule

from .rules_words import DAY_NAMES, REQUEST_KIND_NAMES, in_sentence, kind_name, label_name
from .services.rules import RuleData

YES_NO = [("", pgettext_lazy("yes, no or", "either")), ("yes", pgettext_lazy("answer", "yes")), ("no", pgettext_lazy("answer", "no"))]
DATA_CHOICES = [
    ("redact", gettext_lazy("replace with a placeholder")),
    ("keep", gettext_lazy("send as it is")),
    ("block", gettext_lazy("refuse the request")),
]
DEFAULT_CONFIDENCE = 0.5


class Slider(forms.NumberInput):
    input_type = "range"


class TimeInput(forms.TimeInput):
    input_type = "time"


@dataclass(frozen=True)
class LabelRow:
    label: str
    name: str
    on: forms.BoundField
    minimum: forms.BoundField


@dataclass(frozen=True)
class KindRow:
    kind: str
    name: str
    present: forms.BoundField
    action: forms.BoundField


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class RuleForm(forms.Form):
    """One household rule; its fields are built from the labels and kinds the box knows."""

    name = forms.CharField(max_length=80)
    enabled = forms.BooleanField(required=False, initial=True, label=pgettext_lazy("rule switched", "On"))
    devices = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("These devices"))
    categories = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, choices=Category.choices, label=gettext_lazy("Devices of these kinds")
    )
    images = forms.ChoiceField(required=False, choices=YES_NO, label=gettext_lazy("Has an image"))
    people = forms.ChoiceField(required=False, choices=YES_NO, label=gettext_lazy("People in the image"))
    faces = forms.ChoiceField(required=False, choices=YES_NO, label=gettext_lazy("Faces in the image"))
    time_on = forms.BooleanField(required=False, label=gettext_lazy("Only at certain times"))
    time_from = forms.TimeField(required=False, widget=TimeInput(format="%H:%M"), label=pgettext_lazy("time", "From"))
    time_to = forms.TimeField(required=False, widget=TimeInput(format="%H:%M"), label=pgettext_lazy("time", "To"))
    time_days = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, choices=[(d, DAY_NAMES[d]) for d in DAYS], label=pgettext_lazy("days", "On")
    )
    presence = forms.ChoiceField(
        required=False,
        choices=[
            ("", gettext_lazy("whether or not anyone is home")),
            ("home", gettext_lazy("someone is home")),
            ("away", gettext_lazy("nobody is home")),
        ],
    )
    kinds = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, REQUEST_KIND_NAMES[k]) for k in REQUEST_KINDS],
        label=gettext_lazy("Kinds of request"),
    )
    min_chars = forms.IntegerField(required=False, min_value=0, label=gettext_lazy("At least (characters)"))
    max_chars = forms.IntegerField(required=False, min_value=0, label=gettext_lazy("At most (characters)"))
    outcome = forms.ChoiceField(
        choices=[("allow", gettext_lazy("Answer it, going no further than")), ("block", gettext_lazy("Refuse it, with this message"))],
        widget=forms.RadioSelect,
        initial="allow",
        label=gettext_lazy("Then"),
    )
    max_tier = forms.ChoiceField(choices=Tier.choices, initial="home", label=gettext_lazy("Tier cap"))
    prefer = forms.ChoiceField(required=False, choices=[("", gettext_lazy("no preference")), *Tier.choices], label=gettext_lazy("Prefer"))
    block = forms.CharField(required=False, max_length=300, label=gettext_lazy("Message"))
    blur_faces = forms.BooleanField(required=False, label=gettext_lazy("Blur faces in images"))
    only_in = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("Only to providers in"),
        help_text=gettext_lazy("Country codes or EU, comma-separated (e.g. EU, CH); empty: wherever the household allows."),
    )  # fmt: skip
    never_in = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("Never to providers in"), help_text=gettext_lazy("e.g. US")
    )
    require_zdr = forms.BooleanField(
        required=False, label=gettext_lazy("Only providers with zero data retention on record, in the cloud too")
    )
    keep_prompt_days = forms.IntegerField(
        min_value=0, max_value=3650, initial=0, label=gettext_lazy("Keep the request's text in the audit log (days)")
    )
    rate_per_minute = forms.IntegerField(
        min_value=0, max_value=100_000, initial=0, label=gettext_lazy("Requests a minute per device (0: no limit)")
    )
    monthly_budget = forms.DecimalField(
        min_value=Decimal(0),
        max_value=Decimal(1_000_000),
        decimal_places=2,
        initial=0,
        label=gettext_lazy("Monthly budget per device (0: none)"),
    )

    def __init__(self, *args: Any, currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = list(Device.objects.order_by("name").values_list("name", flat=True))
        for extra in self.initial.get("devices", []):
            if extra not in names:
                names.append(extra)  # a device gone since: kept, so that saving does not drop it silently
        self._choices("devices", [(n, n) for n in names])
        if currency:
            self.fields["monthly_budget"].label = _("Monthly budget per device, in %(currency)s (0: none)") % {"currency": currency}
        for label in LABELS:
            self.fields[f"label_{label}"] = forms.BooleanField(required=False, label=label_name(label))
            self.fields[f"label_{label}_min"] = forms.FloatField(
                required=False,
                min_value=0,
                max_value=1,
                initial=DEFAULT_CONFIDENCE,
                widget=Slider(attrs={"min": 0, "max": 1, "step": 0.05, "class": "confidence"}),
                label=_("%(label)s: confidence") % {"label": label_name(label)},
            )
        for kind in KINDS:
            self.fields[f"data_{kind}"] = forms.BooleanField(required=False, label=kind_name(kind))
            self.fields[f"do_{kind}"] = forms.ChoiceField(
                required=False, choices=DATA_CHOICES, initial="redact", label=_("%(kind)s: when it leaves") % {"kind": kind_name(kind)}
            )

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def label_rows(self) -> Iterator[LabelRow]:
        for label in LABELS:
            yield LabelRow(label, label_name(label), self[f"label_{label}"], self[f"label_{label}_min"])

    def kind_rows(self) -> Iterator[KindRow]:
        for kind in KINDS:
            yield KindRow(kind, kind_name(kind), self[f"data_{kind}"], self[f"do_{kind}"])

    @staticmethod
    def initial_for(rule: HouseholdRule) -> dict[str, Any]:
        """Return the form's initial values for a stored rule."""
        c, a = rule.conditions or {}, rule.actions or {}
        initial: dict[str, Any] = {
            "name": rule.name,
            "enabled": rule.enabled,
            "devices": list(c.get("devices", [])),
            "categories": list(c.get("categories", [])),
            "images": _yes_no(c.get("images")),
            "people": _yes_no(c.get("people")),
            "faces": _yes_no(c.get("faces")),
            "presence": c.get("presence", ""),
            "kinds": list(c.get("kinds", [])),
            "min_chars": c.get("min_chars"),
            "max_chars": c.get("max_chars"),
            "outcome": "block" if a.get("block") else "allow",
            "max_tier": a.get("max_tier", "home"),
            "prefer": a.get("prefer") or "",
            "block": a.get("block", ""),
            "blur_faces": bool(a.get("blur_faces")),
            "only_in": ", ".join((a.get("jurisdictions") or {}).get("allow", [])),
            "never_in": ", ".join((a.get("jurisdictions") or {}).get("deny", [])),
            "require_zdr": bool(a.get("require_zdr")),
            "keep_prompt_days": a.get("keep_prompt_days", 0),
            "rate_per_minute": a.get("rate_per_minute", 0),
            "monthly_budget": a.get("monthly_budget", 0),
        }
        window = c.get("time")
        if isinstance(window, dict):
            initial.update(time_on=True, time_from=window.get("from"), time_to=window.get("to"), time_days=window.get("days", list(DAYS)))
        else:
            initial["time_days"] = list(DAYS)
        for label, minimum in (c.get("labels") or {}).items():
            initial[f"label_{label}"] = True
            initial[f"label_{label}_min"] = minimum
        for kind in c.get("data", []):
            initial[f"data_{kind}"] = True
        for kind, action in (a.get("data") or {}).items():
            initial[f"do_{kind}"] = action
        return initial

    def _conditions(self, d: dict[str, Any]) -> dict[str, Any]:
        c: dict[str, Any] = {}
        for name in ("devices", "categories", "kinds"):
            if d.get(name):
                c[name] = list(d[name])
        labels = {label: float(d.get(f"label_{label}_min") or 0) for label in LABELS if d.get(f"label_{label}")}
        if labels:
            c["labels"] = labels
        data = [k for k in KINDS if d.get(f"data_{k}")]
        if data:
            c["data"] = data
        for name in ("images", "people", "faces"):
            flag = _flag(d.get(name) or "")
            if flag is not None:
                c[name] = flag
        if d.get("time_on"):
            start, end = d.get("time_from"), d.get("time_to")
            if not isinstance(start, dt.time) or not isinstance(end, dt.time):
                raise RuleError(_("say from and to what time the rule holds (or untick 'Only at certain times')"))
            c["time"] = {"from": f"{start:%H:%M}", "to": f"{end:%H:%M}", "days": list(d.get("time_days") or [])}
        if d.get("presence") in PRESENCE:
            c["presence"] = d["presence"]
        for name in ("min_chars", "max_chars"):
            if d.get(name) is not None:
                c[name] = d[name]
        return c

    def _actions(self, d: dict[str, Any]) -> dict[str, Any]:
        if d.get("outcome") == "block":
            if not (d.get("block") or "").strip():
                raise RuleError(_("write the message a refused device receives"))
            return {"block": d["block"].strip()}
        a: dict[str, Any] = {"max_tier": d["max_tier"]}
        if d.get("prefer"):
            a["prefer"] = d["prefer"]
        # Unlisted kinds are replaced anyway (policies.rules.decide): only the exceptions are kept.
        data = {k: d[f"do_{k}"] for k in KINDS if d.get(f"do_{k}") in ("keep", "block")}
        if data:
            a["data"] = data
        if d.get("blur_faces"):
            a["blur_faces"] = True
        places = {k: [c.strip() for c in (d.get(f) or "").split(",") if c.strip()] for k, f in (("allow", "only_in"), ("deny", "never_in"))}
        if places["allow"] or places["deny"]:
            a["jurisdictions"] = {k: v for k, v in places.items() if v}
        if d.get("require_zdr"):
            a["require_zdr"] = True
        for name in ("keep_prompt_days", "rate_per_minute"):
            if d.get(name):
                a[name] = int(d[name])
        if d.get("monthly_budget"):
            a["monthly_budget"] = float(d["monthly_budget"])
        return a

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if self.errors:
            return d
        try:
            conditions, actions = self._conditions(d), self._actions(d)
            parse_rule(d.get("name", ""), conditions, actions, bool(d.get("enabled")))
        except RuleError as exc:
            raise forms.ValidationError(_("This rule cannot be saved: %(error)s.") % {"error": exc}) from None
        self.rule_data = RuleData(d["name"].strip(), bool(d.get("enabled")), conditions, actions)
        return d


class TryForm(forms.Form):
    """A request to try against the rules; nothing is sent."""

    device = forms.ModelChoiceField(
        queryset=Device.objects.all(), required=False, empty_label=gettext_lazy("(pick a device or a kind)"), label=gettext_lazy("Device")
    )
    category = forms.ChoiceField(
        choices=[("", gettext_lazy("(or any device of a kind)")), *Category.choices], required=False, label=gettext_lazy("Or a kind")
    )
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=20000, label=gettext_lazy("Request"))
    when = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        label=gettext_lazy("When (empty: now)"),
    )
    presence = forms.ChoiceField(
        choices=[("home", gettext_lazy("Someone is home")), ("away", gettext_lazy("Nobody is home"))], label=gettext_lazy("Presence")
    )
    image = forms.ImageField(required=False, label=gettext_lazy("Image (optional)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("device")) == bool(data.get("category")):
            raise forms.ValidationError(_("Pick a device or a kind of device (one of them)."))
        return data

    def subject(self) -> Device:
        """Return the device to try the request as: the one picked, or an unsaved one of the kind."""
        picked: Device | None = self.cleaned_data["device"]
        if picked is not None:
            return picked
        category = self.cleaned_data["category"]
        return Device(name=_("any %(kind)s") % {"kind": in_sentence(str(Category(category).label))}, category=category, max_tier="cloud")
