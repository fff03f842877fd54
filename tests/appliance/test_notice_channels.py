"""Notices through the channel the owner chooses: Home Assistant's notify service, e-mail, a webhook; secrets kept secret."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import Client
from django.utils import timezone

from appliance.models import Household, Notice
from appliance.services import notices
from devices.models import DiscoveredDevice
from gateway import crypto
from gateway.capture import CaptureUpstream
from gateway.models import SettingsChange

TOKEN = "eyJhbGciOiJIUzI1NiJ9.ha-long-lived-token-do-not-show"
PASSWORD = "mail-password-never-shown-7Q"


# --- a tiny SMTP server: EHLO, STARTTLS or TLS from the start, AUTH PLAIN, MAIL, RCPT, DATA ----


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    clear: bytearray = field(default_factory=bytearray)  # every byte received before encryption began


class MailServer:
    """Speaks enough SMTP for smtplib over a real socket, with a real TLS handshake."""

    def __init__(self, context: ssl.SSLContext, implicit_tls: bool) -> None:
        self.context, self.implicit_tls = context, implicit_tls
        self.box = Mailbox()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.sock.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        try:
            self._speak(conn)
        except (OSError, ssl.SSLError):
            pass  # a client that gave up (a refused certificate) ends its session
        finally:
            conn.close()

    def _speak(self, conn: socket.socket) -> None:
        secure = False
        if self.implicit_tls:
            conn, secure = self.context.wrap_socket(conn, server_side=True), True
        reader = conn.makefile("rb")

        def say(line: str) -> None:
            conn.sendall(line.encode() + b"\r\n")

        say("220 mail.test ESMTP")
        while True:
            line = reader.readline()
            if not line:
                return
            if not secure:
                self.box.clear.extend(line)
            verb = line.decode().strip()
            upper = verb.upper()
            if upper.startswith(("EHLO", "HELO")):
                offers = ["AUTH PLAIN"] if secure else ["STARTTLS"]
                for offer in ["mail.test", *offers[:-1]]:
                    say(f"250-{offer}")
                say(f"250 {offers[-1]}")
            elif upper == "STARTTLS" and not secure:
                say("220 go ahead")
                conn, secure = self.context.wrap_socket(conn, server_side=True), True
                reader = conn.makefile("rb")
            elif upper.startswith("AUTH PLAIN ") and secure:
                _, user, password = base64.b64decode(verb.split(" ", 2)[2]).decode().split("\0")
                self.box.logins.append((user, password))
                say("235 accepted")
            elif upper.startswith(("MAIL FROM:", "RCPT TO:", "RSET", "NOOP")):
                say("250 ok")
            elif upper == "DATA":
                say("354 end with .")
                data = bytearray()
                while (chunk := reader.readline()) not in (b".\r\n", b""):
                    data.extend(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.box.raw.append(bytes(data))
                self.box.messages.append(message_from_bytes(bytes(data), policy=policy.default))  # type: ignore[arg-type]
                say("250 queued")
            elif upper == "QUIT":
                say("221 bye")
                return
            else:
                say("502 not here")


@dataclass(frozen=True)
class Certs:
    server: ssl.SSLContext
    ca_file: Path


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A self-signed certificate for 127.0.0.1, trusted by the client only where a test says so."""
    folder = tmp_path_factory.mktemp("smtp-certs")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, False, False, False), critical=True
        )  # signs itself and the handshake
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return Certs(context, cert_file)


@pytest.fixture
def trusted(certs: Certs, monkeypatch: pytest.MonkeyPatch) -> Certs:
    """The client trusts the test server's certificate (as it would a real server's, through the system's store)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
    return certs


@pytest.fixture
def starttls_server(certs: Certs) -> Iterator[MailServer]:
    server = MailServer(certs.server, implicit_tls=False)
    yield server
    server.close()


@pytest.fixture
def tls_server(certs: Certs) -> Iterator[MailServer]:
    server = MailServer(certs.server, implicit_tls=True)
    yield server
    server.close()


def mail_settings(port: int, security: str = "starttls", **more: str) -> dict[str, Any]:
    return {
        "channel": "email", "smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_security": security,
        "smtp_user": "hearth@example.org", "smtp_password": PASSWORD, "smtp_from": "hearth@example.org",
        "smtp_to": "anna@example.org, ben@example.org", **more,
    }  # fmt: skip


def ha_settings(capture: CaptureUpstream, **more: str) -> dict[str, str]:
    return {
        "channel": "home_assistant", "ha_url": f"http://127.0.0.1:{capture.port}", "ha_token": TOKEN,
        "ha_service": "mobile_app_annas_phone", **more,
    }  # fmt: skip


def seen_on_the_network(name: str = "front-door") -> None:
    now = timezone.now()
    DiscoveredDevice.objects.create(
        identity=f"id-{name}", identity_kind="mac", kind="camera", source="mdns", name=name, first_seen=now, last_seen=now
    )


def recorded_values() -> str:
    return " ".join(f"{c.old_value} {c.new_value}" for c in SettingsChange.objects.all())


# --- Home Assistant -------------------------------------------------------------------------


def test_a_notice_reaches_home_assistant_s_notify_service_with_the_bearer_token(owner_client: Client, capture: CaptureUpstream) -> None:
    owner_client.post("/notices/channel/", ha_settings(capture))
    seen_on_the_network()
    [told] = notices.check(chain=False)
    [sent] = capture.requests
    assert sent.method == "POST" and sent.path == "/api/services/notify/mobile_app_annas_phone"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}" and sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "title": "A new device is on the network: front-door",
        "message": f"{told.detail}\n\nOn the box: {_box()}/setup/devices/",
    }
    told.refresh_from_db()
    assert told.sent_at is not None and told.send_error == ""


def _box() -> str:
    from devices.discovery.announce import base_url

    return base_url()


def test_the_test_button_sends_to_home_assistant(owner_client: Client, capture: CaptureUpstream) -> None:
    owner_client.post("/notices/channel/", {**ha_settings(capture), "test": "1"})
    [sent] = capture.requests
    assert sent.path == "/api/services/notify/mobile_app_annas_phone" and sent.json()["title"] == "Hearth test notice"
    assert "A test notice was sent." in owner_client.get("/notices/").content.decode()


def test_a_service_typed_with_its_notify_prefix_is_called_by_its_name(owner_client: Client, capture: CaptureUpstream) -> None:
    owner_client.post("/notices/channel/", {**ha_settings(capture, ha_service="notify.mobile_app_annas_phone"), "test": "1"})
    assert capture.requests[0].path == "/api/services/notify/mobile_app_annas_phone"


def test_home_assistant_refusing_the_token_is_recorded_by_its_class_only(
    owner_client: Client, capture: CaptureUpstream, caplog: Any
) -> None:
    capture.reset(mode="status", status=401)
    caplog.set_level(logging.DEBUG)
    owner_client.post("/notices/channel/", {**ha_settings(capture), "test": "1"})
    test = Notice.objects.get(kind="test")
    assert test.sent_at is None and test.send_error == "not delivered: HTTPStatusError"
    assert "The test notice was not delivered: HTTPStatusError." in owner_client.get("/notices/").content.decode()
    assert TOKEN not in caplog.text


def test_the_token_is_stored_encrypted_and_never_shown_logged_or_recorded(
    owner_client: Client, capture: CaptureUpstream, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    owner_client.post("/notices/channel/", {**ha_settings(capture), "test": "1"})
    h = Household.objects.get(pk=1)
    assert TOKEN not in h.notify_ha_token_encrypted and crypto.decrypt(h.notify_ha_token_encrypted) == TOKEN
    page = owner_client.get("/notices/").content.decode()
    assert TOKEN not in page and TOKEN[4:12] not in page and f"A token is stored ({crypto.mask(TOKEN)})" in page
    assert TOKEN not in caplog.text
    assert TOKEN not in recorded_values() and "token set" in recorded_values()


def test_saving_again_without_typing_the_token_keeps_it(owner_client: Client, capture: CaptureUpstream) -> None:
    owner_client.post("/notices/channel/", ha_settings(capture))
    owner_client.post("/notices/channel/", {**ha_settings(capture, ha_token=""), "test": "1"})
    assert capture.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_a_new_home_assistant_address_needs_the_token_typed_again(owner_client: Client, capture: CaptureUpstream) -> None:
    owner_client.post("/notices/channel/", ha_settings(capture))
    body = owner_client.post(
        "/notices/channel/", ha_settings(capture, ha_url="http://elsewhere.example:8123", ha_token="")
    ).content.decode()
    assert "Type the token again for the new address" in body and 'value="http://elsewhere.example:8123"' in body
    assert Household.objects.get(pk=1).notify_ha_url == f"http://127.0.0.1:{capture.port}"


def test_home_assistant_without_a_token_gets_a_form_error_and_keeps_what_was_typed(owner_client: Client, capture: CaptureUpstream) -> None:
    body = owner_client.post("/notices/channel/", ha_settings(capture, ha_token="")).content.decode()
    assert "The token is needed." in body and 'value="mobile_app_annas_phone"' in body
    assert Household.objects.get(pk=1).notify_channel == "webhook"


def test_a_bad_home_assistant_address_or_service_gets_form_errors(owner_client: Client, capture: CaptureUpstream) -> None:
    body = owner_client.post("/notices/channel/", ha_settings(capture, ha_url="not a url", ha_service="Annas Phone!")).content.decode()
    assert "Enter a valid URL." in body and "only lower-case letters, digits and _" in body
    assert 'value="not a url"' in body and TOKEN not in body, "what was typed stays, but never the token"
    assert Household.objects.get(pk=1).notify_ha_url == ""


# --- e-mail ------------------------------------------------------------------------------


def test_a_notice_arrives_by_e_mail_after_starttls_with_subject_and_body(
    owner_client: Client, trusted: Certs, starttls_server: MailServer
) -> None:
    owner_client.post("/notices/channel/", mail_settings(starttls_server.port))
    seen_on_the_network("garden-camera")
    [told] = notices.check(chain=False)
    [mail] = starttls_server.box.messages
    assert mail["Subject"] == "Hearth: A new device is on the network: garden-camera"
    assert mail["From"] == "hearth@example.org" and mail["To"] == "anna@example.org, ben@example.org"
    assert told.detail in mail.get_content() and "/setup/devices/" in mail.get_content()
    assert starttls_server.box.logins == [("hearth@example.org", PASSWORD)]
    assert PASSWORD.encode() not in starttls_server.box.clear, "the password travels only after STARTTLS"
    assert PASSWORD.encode() not in starttls_server.box.raw[0]
    told.refresh_from_db()
    assert told.sent_at is not None


def test_the_test_button_sends_an_e_mail_over_tls_from_the_start(owner_client: Client, trusted: Certs, tls_server: MailServer) -> None:
    owner_client.post("/notices/channel/", {**mail_settings(tls_server.port, "tls"), "test": "1"})
    [mail] = tls_server.box.messages
    assert mail["Subject"] == "Hearth: Hearth test notice" and "Notices from the box arrive here." in mail.get_content()
    assert tls_server.box.clear == bytearray(), "nothing was said before the handshake"
    assert "A test notice was sent." in owner_client.get("/notices/").content.decode()


def test_a_mail_server_whose_certificate_is_not_trusted_gets_no_password(
    owner_client: Client, starttls_server: MailServer, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    owner_client.post("/notices/channel/", {**mail_settings(starttls_server.port), "test": "1"})
    test = Notice.objects.get(kind="test")
    assert test.sent_at is None and test.send_error == "not delivered: SSLCertVerificationError"
    assert starttls_server.box.logins == [] and starttls_server.box.messages == []
    assert PASSWORD not in caplog.text


def test_a_mail_server_that_is_not_there_is_recorded_by_its_class(owner_client: Client, caplog: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    owner_client.post("/notices/channel/", {**mail_settings(port), "test": "1"})
    assert Notice.objects.get(kind="test").send_error == "not delivered: ConnectionRefusedError"


def test_the_mail_password_is_stored_encrypted_and_never_shown_logged_or_recorded(
    owner_client: Client, trusted: Certs, starttls_server: MailServer, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    owner_client.post("/notices/channel/", {**mail_settings(starttls_server.port), "test": "1"})
    h = Household.objects.get(pk=1)
    assert PASSWORD not in h.notify_smtp_password_encrypted and crypto.decrypt(h.notify_smtp_password_encrypted) == PASSWORD
    page = owner_client.get("/notices/").content.decode()
    assert PASSWORD not in page and f"A password is stored ({crypto.mask(PASSWORD)})" in page
    assert PASSWORD not in caplog.text
    assert PASSWORD not in recorded_values() and "password set" in recorded_values()


def test_a_port_out_of_range_and_bad_addresses_get_form_errors_and_nothing_is_lost(owner_client: Client) -> None:
    Household.objects.filter(pk=1).update(notify_url="https://ntfy.example/hearth")
    typed = mail_settings(70000, smtp_from="not-an-address", smtp_to="anna@example.org, nobody")
    body = owner_client.post("/notices/channel/", typed).content.decode()
    assert "Ensure this value is less than or equal to 65535." in body and body.count("Enter a valid email address.") == 2
    assert 'value="70000"' in body and 'value="anna@example.org, nobody"' in body and PASSWORD not in body
    h = Household.objects.get(pk=1)
    assert (h.notify_channel, h.notify_url, h.notify_smtp_host) == ("webhook", "https://ntfy.example/hearth", "")


def test_e_mail_without_a_server_or_recipient_gets_form_errors(owner_client: Client) -> None:
    body = owner_client.post("/notices/channel/", mail_settings(587, smtp_host="", smtp_to="")).content.decode()
    assert "The mail server is needed to send notices by e-mail." in body and "An address to send to is needed" in body


def test_a_mail_host_with_a_path_in_it_gets_a_form_error(owner_client: Client) -> None:
    body = owner_client.post("/notices/channel/", mail_settings(587, smtp_host="smtp.example.org/evil")).content.decode()
    assert "Type the server&#x27;s name or address only" in body


# --- choosing among them -------------------------------------------------------------------


def test_switching_channels_keeps_each_channel_s_settings(owner_client: Client, capture: CaptureUpstream) -> None:
    owner_client.post("/notices/channel/", ha_settings(capture))
    owner_client.post("/notices/channel/", {**ha_settings(capture, ha_token=""), "channel": "webhook", "notify_url": capture.url + "/hook"})
    seen_on_the_network()
    notices.check(chain=False)
    assert [r.path for r in capture.requests] == ["/v1/hook"], "only the chosen channel is sent to"
    owner_client.post("/notices/channel/", {**ha_settings(capture, ha_token=""), "notify_url": capture.url + "/hook", "test": "1"})
    assert capture.requests[-1].path == "/api/services/notify/mobile_app_annas_phone"


def test_the_page_says_which_channel_is_used(owner_client: Client, capture: CaptureUpstream) -> None:
    assert "now: the dashboard only" in owner_client.get("/notices/").content.decode()
    owner_client.post("/notices/channel/", ha_settings(capture))
    page = owner_client.get("/notices/").content.decode()
    assert "now: Home Assistant&#x27;s notify service" in page and 'value="home_assistant" id="id_channel_1" checked' in page


def test_members_see_no_channel_settings(member_client: Client, capture: CaptureUpstream) -> None:
    Household.objects.filter(pk=1).update(
        notify_channel="home_assistant", notify_ha_url="http://ha.local:8123", notify_ha_token_encrypted=crypto.encrypt(TOKEN)
    )
    page = member_client.get("/notices/").content.decode()
    assert "Where notices go" not in page and crypto.mask(TOKEN) not in page


def test_a_token_is_forgotten_when_its_address_changes_while_another_channel_is_chosen(
    owner_client: Client, capture: CaptureUpstream
) -> None:
    owner_client.post("/notices/channel/", ha_settings(capture))
    owner_client.post(
        "/notices/channel/", {**ha_settings(capture, ha_url="http://elsewhere.example:8123", ha_token=""), "channel": "webhook"}
    )
    h = Household.objects.get(pk=1)
    assert h.notify_ha_url == "http://elsewhere.example:8123" and h.notify_ha_token_encrypted == ""
    body = owner_client.post(
        "/notices/channel/", ha_settings(capture, ha_url="http://elsewhere.example:8123", ha_token="")
    ).content.decode()
    assert "The token is needed." in body, "choosing Home Assistant again asks for it"


def test_a_mail_password_is_forgotten_when_the_server_changes_without_it(owner_client: Client) -> None:
    owner_client.post("/notices/channel/", mail_settings(587))
    owner_client.post("/notices/channel/", mail_settings(587, smtp_host="smtp.other.example", smtp_password="", channel="webhook"))
    assert Household.objects.get(pk=1).notify_smtp_password_encrypted == ""
    body = owner_client.post("/notices/channel/", mail_settings(587, smtp_host="smtp.other.example", smtp_password="")).content.decode()
    assert "The password is needed." in body
