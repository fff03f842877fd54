"""Forms of the box's pages: they parse; services write."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from devices.choices import Category, Tier
from gateway import capabilities
from gateway.choices import Family, Outcome
from policies import priorities
from policies.classification.task import TASKS

from . import household
from .household import CURRENCIES
from .models import NoticeChannel, Privacy, SmtpSecurity

TIME_ZONES = sorted(zoneinfo.available_timezones())
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano (pages in English)"),
    ("nl", "Nederlands (pages in English)"),
]
# Translators: the tasks a model's quality is given for, as column headings on the providers page.
TASK_WORDS = {
    "chat": gettext_lazy("Chat"),
    "code": gettext_lazy("Code"),
    "summarise": gettext_lazy("Summarise"),
    "translate": gettext_lazy("Translate"),
    "extract": gettext_lazy("Extract"),
    "reason": gettext_lazy("Reason"),
    "vision": gettext_lazy("Vision"),
    "embed": gettext_lazy("Embed"),
}


class ClaimForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Setup code"), max_length=20, help_text=gettext_lazy("Shown on the box's console and in its setup-code file.")
    )
    username = forms.CharField(label=gettext_lazy("Your user name"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput(render_value=False), strip=False)
    password2 = forms.CharField(label=gettext_lazy("Password again"), widget=forms.PasswordInput(render_value=False), strip=False)
    household = forms.CharField(label=gettext_lazy("Household name"), max_length=100)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=[(z, z) for z in TIME_ZONES], initial=settings.TIME_ZONE)
    # The language names stay in their own language: whoever reads the list picks the one they read.
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGES, initial="en")
    # Not required: a client that predates the question gets the box's default (the
    # class's own `household` field hides the module here, hence CURRENCIES imported by name).
    currency = forms.ChoiceField(label=gettext_lazy("Currency for prices and budgets"), choices=CURRENCIES, initial="USD", required=False)

    def clean(self) -> dict[str, object] | None:
        data = super().clean()
        if data and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class SignInForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput(render_value=False), strip=False)
    code = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=10, required=False)


class ProviderForm(forms.Form):
    name = forms.SlugField(label=gettext_lazy("Name"), max_length=50, help_text=gettext_lazy("A short name, e.g. mistral-eu."))
    tier = forms.ChoiceField(
        label=gettext_lazy("Tier"),
        choices=[(Tier.TRUSTED, gettext_lazy("Trusted (zero retention, chosen jurisdiction)")), (Tier.CLOUD, gettext_lazy("Cloud"))],
    )
    family = forms.ChoiceField(label=gettext_lazy("Family"), choices=Family.choices)
    base_url = forms.URLField(label=gettext_lazy("Base URL"), max_length=300, assume_scheme="https")
    key = forms.CharField(label=gettext_lazy("API key"), widget=forms.PasswordInput(render_value=False), strip=True, max_length=500)
    model = forms.CharField(label=gettext_lazy("Model"), max_length=200, required=False)
    zero_data_retention = forms.BooleanField(
        label=gettext_lazy("Zero data retention (contractual)"), required=False, help_text=gettext_lazy("Required for a trusted provider.")
    )
    zdr_terms_url = forms.URLField(
        label=gettext_lazy("Where its terms say so"), max_length=300, required=False, assume_scheme="https",
        help_text=gettext_lazy("The page of the provider's terms that promises zero data retention."),
    )  # fmt: skip
    zdr_checked_on = forms.DateField(label=gettext_lazy("Terms read on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    jurisdiction = forms.CharField(
        label=gettext_lazy("Jurisdiction"), max_length=40, required=False,
        help_text=gettext_lazy("Where data is processed: a country code (DE, US) or EU."),
    )  # fmt: skip
    price_in_per_mtok = forms.DecimalField(
        label=gettext_lazy("Price in per million tokens"), min_value=Decimal(0), initial=Decimal(0), max_digits=10, decimal_places=4
    )
    price_out_per_mtok = forms.DecimalField(
        label=gettext_lazy("Price out per million tokens"), min_value=Decimal(0), initial=Decimal(0), max_digits=10, decimal_places=4
    )


class DeviceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices, initial=Category.LAPTOP)
    max_tier = forms.ChoiceField(label=gettext_lazy("Highest allowed tier"), choices=Tier.choices, initial=Tier.HOME)


class PresetForm(forms.Form):
    preset = forms.CharField(max_length=50)


class MemberForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput(render_value=False), strip=False)


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=10)


class AuditFilterForm(forms.Form):
    device = forms.CharField(label=gettext_lazy("Device"), required=False, max_length=100)
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), required=False, choices=[("", gettext_lazy("any tier")), *Tier.choices])
    provider = forms.CharField(label=gettext_lazy("Provider"), required=False, max_length=50)
    label = forms.CharField(label=gettext_lazy("Label"), required=False, max_length=50)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), required=False, choices=[("", gettext_lazy("any outcome")), *Outcome.choices]
    )
    since = forms.DateField(label=pgettext_lazy("date", "From"), required=False)
    until = forms.DateField(label=pgettext_lazy("date", "To"), required=False)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)

    def __init__(self, data: Mapping[str, Any] | None = None, *, language: str = "en") -> None:
        super().__init__(data)
        # Typed as the household writes dates (a browser's date picker follows the browser's
        # language instead); ISO dates work in every language.
        typed = household.date_input_formats(language)
        for name in ("since", "until"):
            field = self.fields[name]
            assert isinstance(field, forms.DateField)
            field.input_formats = typed
            assert isinstance(field.widget, forms.DateInput)
            field.widget.format = typed[0]
            spelled = household.date_placeholder(language)
            field.widget.attrs.update(placeholder=spelled, inputmode="numeric", autocomplete="off")
            field.error_messages["invalid"] = _("Type the date as %(spelled)s.") % {"spelled": spelled}


class AuditSettingsForm(forms.Form):
    retention_days = forms.IntegerField(label=gettext_lazy("Keep audit rows for (days, 0 = forever)"), min_value=0, max_value=36500)
    privacy = forms.ChoiceField(label=gettext_lazy("Privacy level"), choices=Privacy.choices)


class BackupPassphraseForm(forms.Form):
    passphrase = forms.CharField(label=gettext_lazy("Backup passphrase"), widget=forms.PasswordInput(render_value=False), strip=False)
    passphrase2 = forms.CharField(label=gettext_lazy("Passphrase again"), widget=forms.PasswordInput(render_value=False), strip=False)

    def clean(self) -> dict[str, object] | None:
        data = super().clean()
        if data and data.get("passphrase") != data.get("passphrase2"):
            self.add_error("passphrase2", _("The two passphrases differ."))
        return data


class FinishForm(BackupPassphraseForm):
    """The wizard's last step: a backup passphrase, which the owner may leave for later."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(data)
        self.fields["passphrase"].required = self.fields["passphrase2"].required = False
        self.fields["passphrase"].help_text = _(
            "At least 10 characters, not a common password, not your sign-in password. "
            "Hearth cannot recover it: write it down and keep it off the box."
        )


class BackupScheduleForm(forms.Form):
    every_hours = forms.IntegerField(label=gettext_lazy("Back up every (hours, 0 = only when asked)"), min_value=0, max_value=24 * 30)
    keep = forms.IntegerField(label=gettext_lazy("Keep this many backups"), min_value=1, max_value=365)


class RestoreForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Backup file"))
    passphrase = forms.CharField(label=gettext_lazy("Its passphrase"), widget=forms.PasswordInput(render_value=False), strip=False)


class FirstBootRestoreForm(RestoreForm):
    code = forms.CharField(label=gettext_lazy("Setup code"), max_length=20, help_text=gettext_lazy("Shown on the box's console."))


class HouseholdTermForm(forms.Form):
    """A private term of the household, for the wizard (the admin edits them later)."""

    label = forms.CharField(
        label=gettext_lazy("Label"), max_length=60, help_text=gettext_lazy("What it is: child's name, street, school, pet.")
    )
    value = forms.CharField(
        label=gettext_lazy("Value"), max_length=200, help_text=gettext_lazy("The term itself, e.g. Finn, Elm Row, St Mary's, Biscuit.")
    )


def _codes(text: str) -> list[str]:
    """Split jurisdiction codes typed as "EU, CH" (commas or spaces) into a list."""
    return [c for c in re.split(r"[\s,;]+", text.strip()) if c]


class ProviderPageForm(ProviderForm):
    """A trusted or cloud provider on the providers page: the wizard's fields, its models and
    what each can do (as fields, not JSON); the key may stay empty to keep the one it has."""

    model = None  # type: ignore[assignment]  # several models here: `models`
    preset = forms.CharField(widget=forms.HiddenInput, required=False)
    models = forms.CharField(
        label=gettext_lazy("Models"), max_length=1000, required=False,
        help_text=gettext_lazy("Separated by commas; the first is its default, used for hearth-auto."),
    )  # fmt: skip
    quality = forms.IntegerField(
        label=gettext_lazy("Quality (1 weak to 10 best)"), min_value=1, max_value=10, initial=5,
        help_text=gettext_lazy("Your judgement, for the tasks its models have no figure of their own below."),
    )  # fmt: skip
    first_byte_timeout = forms.IntegerField(
        label=gettext_lazy("First-byte timeout (seconds)"), min_value=1, max_value=600, initial=60,
        help_text=gettext_lazy("Silence after which Hearth falls back to the next provider the rules allow."),
    )  # fmt: skip
    takes_images = forms.BooleanField(label=gettext_lazy("Its models accept images"), required=False, initial=True)
    forces_tool_calls = forms.BooleanField(label=gettext_lazy("It honours tool_choice=required"), required=False, initial=True)

    BASICS = ("name", "tier", "family", "base_url", "key", "models")
    TERMS = ("jurisdiction", "zero_data_retention", "zdr_terms_url", "zdr_checked_on")
    COSTS = ("price_in_per_mtok", "price_out_per_mtok", "quality", "first_byte_timeout", "takes_images", "forces_tool_calls")

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, initial: dict[str, Any] | None = None, currency: str = "USD",
        caps_models: list[str] | None = None, editing: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(data, initial=dict(initial) if initial is not None else None)
        key = self.fields["key"]
        key.required = False
        key.help_text = (
            _("Leave empty to keep the key it has.")
            if editing
            else _("A server on your own network may need none; any other provider does.")
        )
        for name in ("price_in_per_mtok", "price_out_per_mtok"):
            self.fields[name].label = f"{self.fields[name].label} ({currency})"
        # One group of fields per model (its name, context window, quality per task), and a spare one.
        self.caps_count = len(caps_models or []) + 1 if data is None else _rows_posted(data)
        for i in range(self.caps_count):
            self.fields[f"cap{i}_model"] = forms.CharField(label=_("Model"), max_length=200, required=False)
            self.fields[f"cap{i}_context"] = forms.IntegerField(
                label=_("Context window (tokens)"), min_value=1, max_value=100_000_000, required=False
            )
            for task in TASKS:
                self.fields[f"cap{i}_{task}"] = forms.IntegerField(
                    label=TASK_WORDS.get(task, task.capitalize()), min_value=1, max_value=10, required=False
                )
            if data is None and caps_models and i < len(caps_models):
                self.initial.setdefault(f"cap{i}_model", caps_models[i])
        self.model_caps: dict[str, Any] = {}
        self.model_list: list[str] = []

    def group(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[n] for n in names]

    @property
    def basics(self) -> list[forms.BoundField]:
        return self.group(self.BASICS)

    @property
    def terms(self) -> list[forms.BoundField]:
        return self.group(self.TERMS)

    @property
    def costs(self) -> list[forms.BoundField]:
        return self.group(self.COSTS)

    @property
    def caps_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, list[forms.BoundField]]]:
        return [(self[f"cap{i}_model"], self[f"cap{i}_context"], [self[f"cap{i}_{t}"] for t in TASKS]) for i in range(self.caps_count)]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None:
            return data
        models = [m.strip() for m in (data.get("models") or "").split(",") if m.strip()]
        if len(set(models)) != len(models):
            self.add_error("models", _("A model is named twice."))
        self.model_list = models
        caps: dict[str, Any] = {}
        for i in range(self.caps_count):
            context = data.get(f"cap{i}_context")
            quality = {t: data[f"cap{i}_{t}"] for t in TASKS if data.get(f"cap{i}_{t}") is not None}
            if context is None and not quality:
                continue
            model = (data.get(f"cap{i}_model") or "").strip() or (models[0] if models else "")
            if not model:
                self.add_error(f"cap{i}_model", _("Name the model these figures are for, and list it under Models."))
                continue
            if model in caps:
                self.add_error(f"cap{i}_model", _("The figures of %(model)s are given twice.") % {"model": model})
                continue
            caps[model] = {**({"context": context} if context is not None else {}), **({"quality": quality} if quality else {})}
        try:
            capabilities.parse(caps, models)
        except capabilities.CapsError as exc:
            self.add_error(None, _("What each model can do: %(problem)s.") % {"problem": exc})
        self.model_caps = caps
        return data


def _rows_posted(data: Mapping[str, Any]) -> int:
    """Return how many groups of model figures a posted form carries (at most 50)."""
    rows = 0
    while rows < 50 and f"cap{rows}_model" in data:
        rows += 1
    return max(rows, 1)


class PrioritiesForm(forms.Form):
    """The household's priority and where data may be processed per tier outside the house."""

    priority = forms.ChoiceField(
        label=gettext_lazy("When several providers may answer"), choices=priorities.CHOICES, widget=forms.RadioSelect,
        initial=priorities.DEFAULT_PRESET,
    )  # fmt: skip
    trusted_allow = forms.CharField(label=gettext_lazy("Trusted providers only in"), max_length=200, required=False)
    trusted_deny = forms.CharField(label=gettext_lazy("Trusted providers never in"), max_length=200, required=False)
    cloud_allow = forms.CharField(label=gettext_lazy("Cloud providers only in"), max_length=200, required=False)
    cloud_deny = forms.CharField(label=gettext_lazy("Cloud providers never in"), max_length=200, required=False)

    HELP = gettext_lazy('Codes separated by commas, e.g. "EU, CH" (EU counts every member state); empty: anywhere not denied.')

    def __init__(self, data: Mapping[str, Any] | None = None, *, initial: Mapping[str, Any] | None = None) -> None:
        super().__init__(data, initial=dict(initial) if initial is not None else None)
        for tier in priorities.OUTSIDE:
            self.fields[f"{tier}_allow"].help_text = self.HELP
        self.tiers: dict[str, dict[str, list[str]]] = {}

    @staticmethod
    def initial_for(priority: str, jurisdictions: Mapping[str, Any]) -> dict[str, Any]:
        """Return the form's answers for what the household has stored."""
        initial: dict[str, Any] = {"priority": priority}
        for tier in priorities.OUTSIDE:
            limits = jurisdictions.get(tier) if isinstance(jurisdictions, Mapping) else None
            for side in ("allow", "deny"):
                codes = limits.get(side, []) if isinstance(limits, Mapping) else []
                initial[f"{tier}_{side}"] = ", ".join(codes) if isinstance(codes, list) else str(codes)
        return initial

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None:
            return data
        tiers: dict[str, dict[str, list[str]]] = {}
        for tier in priorities.OUTSIDE:
            limits: dict[str, list[str]] = {}
            for side in ("allow", "deny"):
                codes = [c.upper() for c in _codes(data.get(f"{tier}_{side}") or "")]
                if not codes:
                    continue
                try:
                    priorities.parse_jurisdictions({side: codes}, tier)
                except priorities.LimitError as exc:
                    self.add_error(f"{tier}_{side}", f"{exc}.")
                    continue
                limits[side] = sorted(set(codes))
            if limits:
                try:
                    priorities.parse_jurisdictions(limits, tier)
                except priorities.LimitError as exc:
                    self.add_error(f"{tier}_allow", f"{exc}.")
                tiers[tier] = limits
        self.tiers = tiers
        return data


HA_SERVICE = re.compile(r"[a-z0-9_]+")
MAIL_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")


class NoticeChannelForm(forms.Form):
    """Where notices are sent, and each channel's settings; a token or password left empty keeps the stored one."""

    channel = forms.ChoiceField(
        label=gettext_lazy("Send notices by"), choices=NoticeChannel.choices, widget=forms.RadioSelect, required=False
    )
    notify_url = forms.URLField(
        required=False, max_length=300, assume_scheme="https",
        label=gettext_lazy("Send notices to (a webhook or an ntfy topic's URL; empty: the dashboard only)"),
    )  # fmt: skip
    ha_url = forms.URLField(
        label=gettext_lazy("Home Assistant's address"), required=False, max_length=300, assume_scheme="http",
        help_text=gettext_lazy("As you open it in a browser, e.g. http://homeassistant.local:8123"),
    )  # fmt: skip
    ha_token = forms.CharField(
        label=gettext_lazy("Long-lived access token"), required=False, max_length=1000, widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Made on your Home Assistant profile page, under Security."),
    )  # fmt: skip
    ha_service = forms.CharField(
        label=gettext_lazy("Notify service"), required=False, max_length=100,
        help_text=gettext_lazy("Its name after notify., e.g. mobile_app_annas_phone (Developer tools, Actions)."),
    )  # fmt: skip
    smtp_host = forms.CharField(
        label=gettext_lazy("Mail server"), required=False, max_length=255, help_text=gettext_lazy("e.g. smtp.example.org")
    )
    smtp_port = forms.IntegerField(label=gettext_lazy("Port"), required=False, min_value=1, max_value=65535, initial=587)
    smtp_security = forms.ChoiceField(
        label=gettext_lazy("Encryption"), choices=SmtpSecurity.choices, widget=forms.RadioSelect, required=False
    )
    smtp_user = forms.CharField(
        label=gettext_lazy("User name"), required=False, max_length=255,
        help_text=gettext_lazy("Empty: the server takes mail without signing in."),
    )  # fmt: skip
    smtp_password = forms.CharField(
        label=gettext_lazy("Password"), required=False, max_length=500, strip=False, widget=forms.PasswordInput(render_value=False)
    )
    smtp_from = forms.EmailField(label=pgettext_lazy("e-mail", "From"), required=False, max_length=254)
    smtp_to = forms.CharField(
        label=pgettext_lazy("e-mail", "To"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("One address, or several separated by commas."),
    )

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, initial: dict[str, Any] | None = None,
        stored_ha_url: str = "", has_token: bool = False, stored_smtp: tuple[str, str] = ("", ""), has_password: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(data, initial=initial)
        self.stored_ha_url, self.has_token = stored_ha_url, has_token
        self.stored_smtp, self.has_password = stored_smtp, has_password

    @property
    def ha_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("ha_url", "ha_token", "ha_service")]

    @property
    def smtp_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("smtp_host", "smtp_port", "smtp_user", "smtp_password", "smtp_from", "smtp_to")]

    def clean_channel(self) -> str:
        return str(self.cleaned_data.get("channel") or NoticeChannel.WEBHOOK)

    def clean_ha_service(self) -> str:
        service = str(self.cleaned_data.get("ha_service") or "").strip().removeprefix("notify.")
        if service and not HA_SERVICE.fullmatch(service):
            raise forms.ValidationError(_("A service name has only lower-case letters, digits and _, e.g. mobile_app_annas_phone."))
        return service

    def clean_smtp_host(self) -> str:
        host = str(self.cleaned_data.get("smtp_host") or "").strip()
        if host and not MAIL_HOST.fullmatch(host):
            raise forms.ValidationError(_("Type the server's name or address only, e.g. smtp.example.org."))
        return host

    def clean_smtp_to(self) -> str:
        addresses = [a.strip() for a in str(self.cleaned_data.get("smtp_to") or "").split(",") if a.strip()]
        for address in addresses:
            forms.EmailField().clean(address)
        return ", ".join(addresses)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if not data:
            return data
        data["smtp_security"] = data.get("smtp_security") or SmtpSecurity.STARTTLS
        if data.get("smtp_port") is None and "smtp_port" not in self.errors:
            data["smtp_port"] = 465 if data["smtp_security"] == SmtpSecurity.TLS else 587
        channel = data.get("channel")
        if channel == NoticeChannel.HOME_ASSISTANT:
            for name, needed in (
                ("ha_url", _("Home Assistant's address is needed to send notices there.")),
                ("ha_service", _("The notify service is needed to send notices there.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, needed)
            self._needs_secret(data, "ha_token", self.has_token, data.get("ha_url") == self.stored_ha_url, "token")
        elif channel == NoticeChannel.EMAIL:
            for name, needed in (
                ("smtp_host", _("The mail server is needed to send notices by e-mail.")),
                ("smtp_from", _("A From address is needed to send notices by e-mail.")),
                ("smtp_to", _("An address to send to is needed to send notices by e-mail.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, needed)
            if data.get("smtp_user"):
                same = (data.get("smtp_host"), data.get("smtp_user")) == self.stored_smtp
                self._needs_secret(data, "smtp_password", self.has_password, same, "password")
        if data.get("smtp_password") and not data.get("smtp_user"):
            self.add_error("smtp_user", _("A password needs the user name it belongs to."))
        return data

    def _needs_secret(self, data: dict[str, Any], name: str, stored: bool, same_place: bool, what: str) -> None:
        """Require a secret unless one is stored for the same address (a new address gets it only when typed again)."""
        if data.get(name):
            return
        # Whole sentences per secret, so that each language words them its own way.
        if not stored:
            self.add_error(name, _("The token is needed.") if what == "token" else _("The password is needed."))
        elif not same_place:
            again = (
                _("Type the token again for the new address: it is not sent anywhere it was not given for.")
                if what == "token"
                else _("Type the password again for the new address: it is not sent anywhere it was not given for.")
            )
            self.add_error(name, again)


class MqttAccountForm(forms.Form):
    """What a device's own broker account may publish beyond its request topic."""

    publishes_presence = forms.BooleanField(
        required=False, label=gettext_lazy("May report whether anyone is home (a phone, a home-automation hub)")
    )
    publishes_discovery = forms.BooleanField(required=False, label=gettext_lazy("May announce devices it knows (a bridge or hub)"))
