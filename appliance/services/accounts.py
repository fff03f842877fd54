"""Signing in (throttled per account and address), household members, the TOTP second factor."""

from __future__ import annotations

import enum
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gateway import crypto

from ..models import LoginFailure, SecondFactor

# A guesser from one address is also stopped across accounts, at a higher bar.
ADDRESS_FACTOR = 4


class SignIn(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"
    NEEDS_CODE = "needs_code"


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "0.0.0.0")  # noqa: S104  (a label, not a bind)


def throttled(username: str, address: str) -> bool:
    """Say whether sign-ins for this account from this address are paused.

    Counted per account and address together, so failures from one address never lock
    the owner out when signing in from another.
    """
    since = timezone.now() - timedelta(seconds=settings.HEARTH_LOGIN_WINDOW)
    recent = LoginFailure.objects.filter(address=address, at__gte=since)
    limit = settings.HEARTH_LOGIN_FAILURES
    return recent.filter(username=username.lower()).count() >= limit or recent.count() >= limit * ADDRESS_FACTOR


def record_failure(username: str, address: str) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], address=address, at=timezone.now())


def forget_old_failures() -> int:
    """Delete failures older than the window."""
    since = timezone.now() - timedelta(seconds=settings.HEARTH_LOGIN_WINDOW)
    deleted, _ = LoginFailure.objects.filter(at__lt=since).delete()
    return deleted


def sign_in(request: HttpRequest, username: str, password: str, code: str = "") -> SignIn:
    """Check a sign-in and start the session; count the failure otherwise."""
    address = client_address(request)
    if throttled(username, address):
        return SignIn.THROTTLED
    user = authenticate(request, username=username, password=password)
    if user is None:
        record_failure(username, address)
        return SignIn.WRONG
    factor = SecondFactor.objects.filter(user_id=user.pk, confirmed=True).first()
    if factor is not None:
        if not code:
            return SignIn.NEEDS_CODE
        if not pyotp.TOTP(crypto.decrypt(factor.secret_encrypted)).verify(code.strip(), valid_window=1):
            record_failure(username, address)
            return SignIn.WRONG
    LoginFailure.objects.filter(username=username.lower(), address=address).delete()
    login(request, user)
    return SignIn.OK


def add_member(username: str, password: str) -> AbstractBaseUser:
    """Add a household member: reads the dashboard and audit log, changes nothing."""
    user_model = get_user_model()
    user = user_model(username=username, is_staff=False, is_superuser=False)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def remove_member(user_id: int) -> None:
    """Remove a household member (never the owner)."""
    get_user_model().objects.filter(pk=user_id, is_superuser=False).delete()


def start_second_factor(user: AbstractBaseUser) -> str:
    """Make a new, unconfirmed TOTP secret for an account; return its otpauth URI."""
    secret = pyotp.random_base32()
    SecondFactor.objects.update_or_create(user_id=user.pk, defaults={"secret_encrypted": crypto.encrypt(secret), "confirmed": False})
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name="Hearth")


@transaction.atomic
def confirm_second_factor(user: AbstractBaseUser, code: str) -> bool:
    """Turn the second factor on once the account shows a current code from it."""
    factor = SecondFactor.objects.select_for_update().filter(user_id=user.pk).first()
    if factor is None or not pyotp.TOTP(crypto.decrypt(factor.secret_encrypted)).verify(code.strip(), valid_window=1):
        return False
    factor.confirmed = True
    factor.save(update_fields=["confirmed"])
    return True


def remove_second_factor(user: AbstractBaseUser) -> None:
    SecondFactor.objects.filter(user_id=user.pk).delete()
