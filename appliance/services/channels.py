"""Where notices are sent: a webhook or ntfy topic, Home Assistant's notify service, e-mail.

Each channel delivers one notice or raises; appliance.services.notices records which. A
token or password is decrypted only for the one delivery that needs it, and never logged.
"""

from __future__ import annotations

import email.utils
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

import httpx
from cryptography.fernet import InvalidToken
from django.utils.translation import gettext as _

from devices.discovery import announce
from gateway import crypto

from ..models import Household, Notice, NoticeChannel, SmtpSecurity

SEND_SECONDS = 5.0


def _text(notice: Notice) -> str:
    """Return a notice as plain text: its detail and where on the box to look."""
    where = _("On the box: %(address)s") % {"address": f"{announce.base_url()}{notice.link}"} if notice.link else ""
    return "\n\n".join(part for part in (notice.detail, where) if part)


@dataclass(frozen=True)
class Webhook:
    """A webhook or an ntfy topic: the notice as JSON, its title also in a Title header (ntfy's)."""

    url: str

    def deliver(self, notice: Notice) -> None:
        body = {
            "title": notice.title,
            "detail": notice.detail,
            "kind": notice.kind,
            "link": notice.link,
            "at": notice.created_at.isoformat(),
        }
        httpx.post(self.url, json=body, timeout=SEND_SECONDS, headers={"Title": notice.title}).raise_for_status()


@dataclass(frozen=True)
class HomeAssistant:
    """Home Assistant's notify service through its REST API, with a long-lived access token."""

    base: str
    token_encrypted: str = field(repr=False)
    service: str

    def deliver(self, notice: Notice) -> None:
        url = f"{self.base.rstrip('/')}/api/services/notify/{self.service}"
        headers = {"Authorization": f"Bearer {crypto.decrypt(self.token_encrypted)}"}
        httpx.post(url, json={"title": notice.title, "message": _text(notice)}, headers=headers, timeout=SEND_SECONDS).raise_for_status()


@dataclass(frozen=True)
class Email:
    """E-mail through the household's SMTP server, encrypted from the start or after STARTTLS."""

    host: str
    port: int
    security: str
    user: str
    password_encrypted: str = field(repr=False)
    sender: str
    to: tuple[str, ...]

    def deliver(self, notice: Notice) -> None:
        message = EmailMessage()
        message["Subject"] = _("Hearth: %(title)s") % {"title": notice.title}
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message["Date"] = email.utils.format_datetime(notice.created_at)
        message["Message-ID"] = email.utils.make_msgid("hearth")
        message.set_content(_text(notice))
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.security == SmtpSecurity.TLS:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=SEND_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=SEND_SECONDS)
        with smtp:
            if self.security != SmtpSecurity.TLS:
                smtp.starttls(context=context)  # never the password, nor a notice, in the clear
            if self.user:
                smtp.login(self.user, crypto.decrypt(self.password_encrypted))
            smtp.send_message(message)


Channel = Webhook | HomeAssistant | Email
# What a channel may fail with; only the class is recorded or logged (a URL may carry a
# token, an SMTP server's reply may quote the user name).
SEND_ERRORS = (httpx.HTTPError, smtplib.SMTPException, OSError, InvalidToken, ValueError)


def channel_of(h: Household | None) -> Channel | None:
    """Return the channel the household chose, if it is set up; None: the dashboard only."""
    if h is None:
        return None
    if h.notify_channel == NoticeChannel.HOME_ASSISTANT:
        if h.notify_ha_url and h.notify_ha_token_encrypted and h.notify_ha_service:
            return HomeAssistant(h.notify_ha_url, h.notify_ha_token_encrypted, h.notify_ha_service)
        return None
    if h.notify_channel == NoticeChannel.EMAIL:
        to = tuple(a.strip() for a in h.notify_smtp_to.split(",") if a.strip())
        if h.notify_smtp_host and h.notify_smtp_from and to:
            return Email(
                h.notify_smtp_host, h.notify_smtp_port, h.notify_smtp_security, h.notify_smtp_user,
                h.notify_smtp_password_encrypted, h.notify_smtp_from, to,
            )  # fmt: skip
        return None
    return Webhook(h.notify_url) if h.notify_url else None
