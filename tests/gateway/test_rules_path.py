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
from policies.models import HouseholdRule
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


def _rule(**actions: object) -> None:
    services.replace_rules([{"name": "Laptops", "conditions": {"categories": ["laptop"]}, "actions": {"max_tier": "cloud", **actions}}])


def test_a_rate_limit_refuses_the_request_over_it_with_429(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    _rule(rate_per_minute=2)
    laptop = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", quality=10)
    statuses = [
        httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=60)
        for _ in range(3)
    ]
    assert [r.status_code for r in statuses[:2]] == [200, 200]
    assert statuses[2].status_code == 429 and statuses[2].json()["error"]["code"] == "rate_limit_exceeded"


def test_a_spent_monthly_budget_keeps_the_device_home_and_says_so(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    _rule(monthly_budget=0.000001)
    laptop = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", quality=10)
    Provider.objects.filter(name="home").update(quality=1, model_caps={})  # so the cloud one is tried first
    first = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=60)
    assert first.headers["x-hearth-tier"] == "cloud"
    audited(laptop.device)  # the first request's cost is on its audit row
    second = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=60)
    assert second.headers["x-hearth-tier"] == "home", "the home tier never counts against a budget"
    assert "budget outside the home" in unquote(second.headers["x-hearth-explanation"])
    assert len(capture.requests) == 1


def test_prompt_text_is_kept_only_when_a_rule_opts_in_and_forgotten_after_its_period(
    live: Live, make_device: Callable[..., PairedDevice], make_provider: Callable[..., Provider], capture: CaptureUpstream
) -> None:
    import datetime as dt

    from django.utils import timezone

    from gateway import services as gateway_services
    from gateway.models import AuditEvent

    _rule(keep_prompt_days=7)
    laptop = make_device(max_tier="cloud")
    make_provider("cloudy", "cloud", quality=10)
    httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=60)
    [event] = audited(laptop.device)
    assert event.prompt_text == "What is the capital of France?"
    assert event.prompt_expires_at is not None and event.prompt_expires_at > timezone.now() + dt.timedelta(days=6)
    AuditEvent.objects.filter(pk=event.pk).update(prompt_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert gateway_services.purge_expired_prompts() == 1
    event.refresh_from_db()
    assert event.prompt_text == "" and gateway_services.verify_chain().problem == ""


@pytest.mark.parametrize("level", ["no_names", "counts"])
def test_the_households_privacy_level_decides_what_the_audit_row_records(
    level: str,
    live: Live,
    make_device: Callable[..., PairedDevice],
    make_provider: Callable[..., Provider],
    capture: CaptureUpstream,
) -> None:
    from appliance.models import Household

    Household.objects.create(pk=1, name="The Smiths", privacy=level, priority="best")  # the best answer allowed: the cloud's
    tablet = make_device(max_tier="cloud", category="kids")
    tablet.device.name = "annas-tablet"
    tablet.device.save()
    HouseholdRule.objects.all().delete()
    HouseholdRule.objects.create(name="Anna's tablet", conditions={"devices": ["annas-tablet"]}, actions={"max_tier": "cloud"})
    make_provider("cloudy", "cloud")
    response = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {tablet.key}"}, timeout=60)
    assert response.status_code == 200 and "annas-tablet" in unquote(response.headers["x-hearth-explanation"])
    [event] = audited(tablet.device)
    row = " ".join(str(getattr(event, f.attname)) for f in event._meta.concrete_fields)
    assert "annas-tablet" not in row, "the device's name is recorded nowhere on the row"
    assert event.device_name == "a kids' device"
    assert (event.tier, event.provider_name, event.completion_tokens) == ("cloud", "cloudy", 6)
    if level == "counts":
        assert (event.model_requested, event.labels, event.rule, event.explanation) == ("", [], "", "")
    else:
        assert event.rule == "Anna's tablet" and "the device is a kids' device" in event.explanation


@pytest.mark.parametrize("home_enabled", [True, False], ids=["home engine up", "home engine off"])
def test_try_a_request_names_the_tier_and_provider_the_real_path_answers_from(
    live: Live,
    make_device: Callable[..., PairedDevice],
    make_provider: Callable[..., Provider],
    capture: CaptureUpstream,
    home_enabled: bool,
) -> None:
    """'Try a request' once said trusted while the same prompt was answered at home: the
    simulator built its facts without the rule's preferred tier. Both now decide and plan alike."""
    import datetime as dt

    from gateway.simulate import simulate

    services.replace_rules([{"name": "Trusted, home first", "actions": {"max_tier": "trusted", "prefer": "home"}}])
    laptop = make_device(max_tier="cloud")
    make_provider("zdr", "trusted", quality=10)
    make_provider("cloudy", "cloud", quality=10)
    Provider.objects.filter(name="home").update(enabled=home_enabled)
    shown = simulate(laptop.device, ASK["messages"][0]["content"], dt.datetime.now(dt.UTC), "home")  # type: ignore[index]
    response = httpx.post(f"{live.api}/chat/completions", json=ASK, headers={"Authorization": f"Bearer {laptop.key}"}, timeout=60)
    assert response.status_code == 200
    assert (shown.tier, shown.provider) == (response.headers["x-hearth-tier"], response.headers["x-hearth-provider"])
    assert shown.provider == ("home" if home_enabled else "zdr")
    assert shown.explanation == unquote(response.headers["x-hearth-explanation"])
