"""The household's rules on the real path: the tier they allow, the explanation the device
gets and the audit keeps, and blocks."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

import httpx
import pytest

from gateway.capture import CaptureUpstream
from gateway.models import Provider
from policies import services
from tests.conftest import Live, PairedDevice, audited

pytestmark = pytest.mark.django_db(transaction=True)
ASK = {"model": "hearth-auto", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 8}


def test_a_kids_tablet_never_reaches_the_cloud_and_is_told_why(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    services.apply_preset("household", {"cloud"})
    tablet = make_device(max_tier="cloud", category="kids")
    make_provider("cloudy", "cloud")
    response = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {tablet.key}"}, timeout=60)
    assert response.status_code == 200 and response.headers["x-hearth-tier"] == "home"
    explanation = unquote(response.headers["x-hearth-explanation"])
    assert "rule 'Kids' devices' matched" in explanation
    assert capture.requests == []
    [event] = audited(tablet.device)
    assert event.rule == "Kids' devices" and event.explanation == explanation


def test_a_generic_question_from_a_laptop_goes_to_the_cloud_under_the_preset(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    services.apply_preset("household", {"cloud"})
    laptop = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", quality=10)
    Provider.objects.filter(name="home").update(enabled=False)
    response = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=60)
    assert response.headers["x-hearth-tier"] == "cloud"
    assert "Generic questions" in unquote(response.headers["x-hearth-explanation"])
    assert len(capture.requests) == 1


def test_a_blocking_rule_refuses_with_its_message_and_sends_nothing(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    services.replace_rules(
        [{"name": "No TV", "conditions": {"categories": ["tv"]}, "actions": {"block": "Ask a grown-up to unlock the TV assistant."}}]
    )
    tv = make_device(max_tier="cloud", category="tv")
    make_provider("cloudy", "cloud")
    response = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {tv.key}"}, timeout=60)
    assert response.status_code == 403
    assert response.json()["error"] == {
        "message": "Ask a grown-up to unlock the TV assistant.",
        "type": "permission_error",
        "param": None,
        "code": "blocked_by_rule",
    }
    assert capture.requests == []
    [event] = audited(tv.device)
    assert event.outcome == "blocked" and event.rule == "No TV"


def test_no_header_or_body_field_can_raise_the_tier(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    services.apply_preset("home-only", {"cloud"})
    laptop = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", quality=10)
    headers = {
        "Authorization": f"Bearer {laptop.key}",
        "X-Hearth-Tier": "cloud",
        "X-Hearth-Provider": "cloudy",
        "X-Forwarded-For": "127.0.0.1",
    }
    response = httpx.post(f"{live.api}/chat/completions", json={**ASK, "model": "cloudy-model"}, headers=headers, timeout=60)
    assert response.status_code == 503, "the rules keep it home and the home engine does not serve cloudy-model"
    assert capture.requests == []
    response = httpx.post(
        f"{live.api}/chat/completions", json={**ASK, "user": "admin", "metadata": {"tier": "cloud"}}, headers=headers, timeout=60
    )
    assert response.headers["x-hearth-tier"] == "home"
    assert capture.requests == []
