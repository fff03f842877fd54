"""Forms of the box's pages: they parse; services write."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings

from devices.choices import Category, Tier
from gateway.choices import Family, Outcome

from . import household
from .household import CURRENCIES
from .models import Privacy

TIME_ZONES = sorted(zoneinfo.available_timezones())
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"), ("it", "Italiano"), ("nl", "Nederlands")]


class ClaimForm(forms.Form):
    code = forms.CharField(label="Setup code", max_length=20, help_text="Shown on the box's console and in its setup-code file.")
    username = forms.CharField(label="Your user name", max_length=150)
    password = forms.CharField(label="Password", widget=forms.PasswordInput(render_value=False), strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput(render_value=False), strip=False)
    household = forms.CharField(label="Household name", max_length=100)
    time_zone = forms.ChoiceField(choices=[(z, z) for z in TIME_ZONES], initial=settings.TIME_ZONE)
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    # Not required: a client that predates the question gets the box's default (the
    # class's own `household` field hides the module here, hence CURRENCIES imported by name).
    currency = forms.ChoiceField(label="Currency for prices and budgets", choices=CURRENCIES, initial="USD", required=False)

    def clean(self) -> dict[str, object] | None:
        data = super().clean()
        if data and data.get("password") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), strip=False)
    code = forms.CharField(label="Code from your authenticator app", max_length=10, required=False)


class ProviderForm(forms.Form):
    name = forms.SlugField(max_length=50, help_text="A short name, e.g. mistral-eu.")
    tier = forms.ChoiceField(choices=[(Tier.TRUSTED, "Trusted (zero retention, chosen jurisdiction)"), (Tier.CLOUD, "Cloud")])
    family = forms.ChoiceField(choices=Family.choices)
    base_url = forms.URLField(label="Base URL", max_length=300, assume_scheme="https")
    key = forms.CharField(label="API key", widget=forms.PasswordInput(render_value=False), strip=True, max_length=500)
    model = forms.CharField(label="Model", max_length=200, required=False)
    zero_data_retention = forms.BooleanField(
        label="Zero data retention (contractual)", required=False, help_text="Required for a trusted provider."
    )
    zdr_terms_url = forms.URLField(
        label="Where its terms say so", max_length=300, required=False, assume_scheme="https",
        help_text="The page of the provider's terms that promises zero data retention.",
    )  # fmt: skip
    zdr_checked_on = forms.DateField(label="Terms read on", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    jurisdiction = forms.CharField(max_length=40, required=False, help_text="Where data is processed: a country code (DE, US) or EU.")
    price_in_per_mtok = forms.DecimalField(
        label="Price in per million tokens", min_value=Decimal(0), initial=Decimal(0), max_digits=10, decimal_places=4
    )
    price_out_per_mtok = forms.DecimalField(
        label="Price out per million tokens", min_value=Decimal(0), initial=Decimal(0), max_digits=10, decimal_places=4
    )


class DeviceForm(forms.Form):
    name = forms.CharField(max_length=100)
    category = forms.ChoiceField(choices=Category.choices, initial=Category.LAPTOP)
    max_tier = forms.ChoiceField(label="Highest allowed tier", choices=Tier.choices, initial=Tier.HOME)


class PresetForm(forms.Form):
    preset = forms.CharField(max_length=50)


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), strip=False)


class CodeForm(forms.Form):
    code = forms.CharField(max_length=10)


class AuditFilterForm(forms.Form):
    device = forms.CharField(required=False, max_length=100)
    tier = forms.ChoiceField(required=False, choices=[("", "any tier"), *Tier.choices])
    provider = forms.CharField(required=False, max_length=50)
    label = forms.CharField(required=False, max_length=50)
    outcome = forms.ChoiceField(required=False, choices=[("", "any outcome"), *Outcome.choices])
    since = forms.DateField(label="From", required=False)
    until = forms.DateField(label="To", required=False)
    q = forms.CharField(label="Search", required=False, max_length=100)

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
            field.error_messages["invalid"] = f"Type the date as {spelled}."


class AuditSettingsForm(forms.Form):
    retention_days = forms.IntegerField(label="Keep audit rows for (days, 0 = forever)", min_value=0, max_value=36500)
    privacy = forms.ChoiceField(label="Privacy level", choices=Privacy.choices)


class BackupPassphraseForm(forms.Form):
    passphrase = forms.CharField(label="Backup passphrase", widget=forms.PasswordInput(render_value=False), strip=False)
    passphrase2 = forms.CharField(label="Passphrase again", widget=forms.PasswordInput(render_value=False), strip=False)

    def clean(self) -> dict[str, object] | None:
        data = super().clean()
        if data and data.get("passphrase") != data.get("passphrase2"):
            self.add_error("passphrase2", "The two passphrases differ.")
        return data


class FinishForm(BackupPassphraseForm):
    """The wizard's last step: a backup passphrase, which the owner may leave for later."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(data)
        self.fields["passphrase"].required = self.fields["passphrase2"].required = False
        self.fields["passphrase"].help_text = (
            "At least 10 characters, not a common password, not your sign-in password. "
            "Hearth cannot recover it: write it down and keep it off the box."
        )


class BackupScheduleForm(forms.Form):
    every_hours = forms.IntegerField(label="Back up every (hours, 0 = only when asked)", min_value=0, max_value=24 * 30)
    keep = forms.IntegerField(label="Keep this many backups", min_value=1, max_value=365)


class RestoreForm(forms.Form):
    file = forms.FileField(label="Backup file")
    passphrase = forms.CharField(label="Its passphrase", widget=forms.PasswordInput(render_value=False), strip=False)


class FirstBootRestoreForm(RestoreForm):
    code = forms.CharField(label="Setup code", max_length=20, help_text="Shown on the box's console.")


class HouseholdTermForm(forms.Form):
    """A private term of the household, for the wizard (the admin edits them later)."""

    label = forms.CharField(max_length=60, help_text="What it is: child's name, street, school, pet.")
    value = forms.CharField(max_length=200, help_text="The term itself, e.g. Finn, Elm Row, St Mary's, Biscuit.")
