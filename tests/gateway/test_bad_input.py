"""Bad input gets the OpenAI error shape with the right status, and leaves nothing behind."""

from __future__ import annotations

import json

import httpx
import pytest
import redis

from appliance.plumbing import versioned
from devices import services
from gateway.models import AuditEvent
from tests.conftest import Live, PairedDevice

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = {"model": "hearth-auto", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}

CASES = [
    ("malformed JSON", b'{"model": "hearth-auto", "messages": [', 400, "invalid_json"),
    ("not an object", b"[1, 2]", 400, "invalid_json"),
    ("NaN", b'{"model": "hearth-auto", "temperature": NaN, "messages": [{"role":"user","content":"x"}]}', 400, "invalid_json"),
    ("no messages", json.dumps({"model": "hearth-auto"}).encode(), 400, None),
    ("empty messages", json.dumps({"model": "hearth-auto", "messages": []}).encode(), 400, None),
    ("bad role", json.dumps({**GOOD, "messages": [{"role": "wizard", "content": "x"}]}).encode(), 400, None),
    ("content of wrong type", json.dumps({**GOOD, "messages": [{"role": "user", "content": 5}]}).encode(), 400, None),
    ("temperature as text", json.dumps({**GOOD, "temperature": "hot"}).encode(), 400, None),
    ("temperature out of range", json.dumps({**GOOD, "temperature": 7}).encode(), 400, None),
    ("max_tokens as bool", json.dumps({**GOOD, "max_tokens": True}).encode(), 400, None),
    ("too many tokens", json.dumps({**GOOD, "max_tokens": 10_000_000}).encode(), 400, "max_tokens_exceeded"),
    ("api_base smuggled in", json.dumps({**GOOD, "api_base": "http://evil.example"}).encode(), 400, "unknown_parameter"),
    ("base_url smuggled in", json.dumps({**GOOD, "base_url": "http://evil.example"}).encode(), 400, "unknown_parameter"),
    ("unknown model", json.dumps({**GOOD, "model": "gpt-17-ultra"}).encode(), 404, "model_not_found"),
    ("n above 1", json.dumps({**GOOD, "n": 3}).encode(), 400, None),
    ("tool of wrong shape", json.dumps({**GOOD, "tools": [{"type": "function"}]}).encode(), 400, None),
    ("deep nesting", b'{"model": "hearth-auto", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400, None),
]


@pytest.mark.parametrize(("body", "status", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_request_bodies_get_an_openai_error_and_no_audit_row(
    live: Live, laptop: PairedDevice, body: bytes, status: int, code: str | None
) -> None:
    response = httpx.post(
        f"{live.api}/chat/completions",
        content=body,
        headers={"Authorization": f"Bearer {laptop.key}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"] and error["type"]
    assert "Traceback" not in response.text
    if code:
        assert error["code"] == code
    assert AuditEvent.objects.count() == 0


def test_a_body_over_the_limit_is_refused_before_it_is_read(live: Live, laptop: PairedDevice) -> None:
    huge = b'{"model": "hearth-auto", "messages": [{"role": "user", "content": "' + b"a" * (17 * 1024 * 1024) + b'"}]}'
    response = httpx.post(f"{live.api}/chat/completions", content=huge, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=60)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer hk-not-a-real-key", "Basic dXNlcjpwYXNz", "Bearer ' OR 1=1 --", "Bearer " + "hk-" + "x" * 5000]
)
def test_missing_or_unknown_keys_get_401(live: Live, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = httpx.post(f"{live.api}/chat/completions", json=GOOD, headers=headers, timeout=30)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"missing_api_key", "invalid_api_key"}
    assert "hk-not-a-real-key" not in response.text


def test_a_revoked_key_stops_working_at_once(live: Live, laptop: PairedDevice) -> None:
    headers = {"Authorization": f"Bearer {laptop.key}"}
    assert httpx.get(f"{live.api}/models", headers=headers).status_code == 200
    services.revoke(laptop.device)
    assert httpx.get(f"{live.api}/models", headers=headers).status_code == 401


def test_a_device_added_where_the_web_process_could_not_be_told_works_at_once(
    live: Live, laptop: PairedDevice, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`manage.py device add` run where Redis is unreachable (another REDIS_URL in that shell):
    the device is saved, a warning says so, and its key works, looked up on a miss."""
    assert httpx.get(f"{live.api}/models", headers={"Authorization": f"Bearer {laptop.key}"}).status_code == 200  # kept
    monkeypatch.setattr(versioned, "sync_client", lambda: redis.Redis.from_url("redis://127.0.0.1:1/0"))
    with caplog.at_level("WARNING", logger="appliance.plumbing.versioned"):
        tablet = services.add_device("tablet", "kids")
    assert "could not tell the running processes that the devices changed" in caplog.text
    assert httpx.get(f"{live.api}/models", headers={"Authorization": f"Bearer {tablet.key}"}).status_code == 200


def test_wrong_method_gets_an_openai_error(live: Live, laptop: PairedDevice) -> None:
    response = httpx.get(f"{live.api}/chat/completions", headers={"Authorization": f"Bearer {laptop.key}"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
