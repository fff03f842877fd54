"""The household's stories, table-driven (scenarios.yaml): real screening, the facts, the
decision and the plan, through the request path's own step and through the simulator, which
must agree."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest
import yaml

from appliance.models import Household
from appliance.plumbing.redis import sync_client
from devices.services import add_device
from gateway import journey, schema
from gateway.choices import Kind, Outcome
from gateway.envelope import DeviceFacts, Envelope
from gateway.models import AuditEvent, Provider
from gateway.simulate import simulate
from policies import services
from policies.tasks import warm_up

SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios.yaml").read_text())
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, scope="module")
def warm_worker() -> None:
    """Load the models as a classify worker does when it starts, so the first story's budget screens."""
    warm_up()


def _image() -> str:
    ok, png = cv2.imencode(".png", np.full((64, 64, 3), 200, dtype=np.uint8))
    assert ok
    return "data:image/png;base64," + base64.b64encode(png.tobytes()).decode()


PLACES = {"trusted": "FR", "cloud": "US"}


def _providers(tiers: set[str]) -> None:
    for tier in sorted(tiers):
        Provider.objects.create(
            name=f"{tier}-one", tier=tier, base_url="http://127.0.0.1:9/v1", model_names=[f"{tier}-model"], jurisdiction=PLACES[tier],
            # A trusted provider is one whose zero data retention is on record (Provider.clean).
            zero_data_retention=tier == "trusted", zdr_terms_url="https://provider.example/terms" if tier == "trusted" else "",
            zdr_checked_on=dt.date(2026, 11, 1) if tier == "trusted" else None,
        )  # fmt: skip


@pytest.mark.parametrize("row", SCENARIOS, ids=[s["story"] for s in SCENARIOS])
def test_household_story(row: dict[str, Any]) -> None:
    redis = sync_client()
    for key in redis.scan_iter("hearth:rate:*"):  # device ids come round again from test to test
        redis.delete(key)
    tiers = set(row.get("providers", ["trusted", "cloud"]))
    _providers(tiers)
    if "household" in row:  # its priority and where data may go, as the providers page sets them
        Household.objects.update_or_create(pk=1, defaults={"name": "The Smiths", **row["household"]})
    if "home_quality" in row:  # a box serving a better model than the bundled one
        home = Provider.objects.get(name="home")
        home.model_caps = {name: {**caps, "quality": row["home_quality"]} for name, caps in home.model_caps.items()}
        home.save()
    if "preset" in row:
        services.apply_preset(row["preset"], tiers)
    else:
        services.replace_rules(row["rules"])
    device = add_device(**row["device"]).device
    moment = dt.datetime.fromisoformat(row.get("time", "2026-11-24T12:00")).replace(tzinfo=ZoneInfo("UTC"))
    if row.get("spent"):
        AuditEvent.objects.create(
            request_id="00000000-0000-4000-8000-000000000001", created_at=dt.datetime.now(dt.UTC), device=device,
            device_name=device.name, kind=Kind.CHAT, model_requested="cloud-model", tier="cloud", provider_name="cloud-one",
            outcome=Outcome.OK, cost=Decimal(str(row["spent"])),
        )  # fmt: skip
    image = _image() if row.get("image") else ""
    content: Any = (
        row["prompt"] if not image else [{"type": "text", "text": row["prompt"]}, {"type": "image_url", "image_url": {"url": image}}]
    )
    api = schema.chat_request({"model": "hearth-auto", "messages": [{"role": "user", "content": content}]})
    presence = row.get("presence", "home")
    for _ in range(row.get("repeat", 1)):
        envelope = Envelope.of(DeviceFacts(device.pk, device.name, device.category, device.max_tier), api, {})
        screening, decision, plan = journey.decided(envelope, moment=moment, presence=presence, budget=2.0)
    assert not screening["failed"]

    expect = row["expect"]
    if "blocked" in expect:
        assert expect["blocked"].lower() in decision.blocked.lower()
    else:
        assert decision.blocked == ""
        assert decision.max_tier == expect["tier"]
    if "prefer" in expect:
        assert decision.prefer == expect["prefer"]
    if "provider" in expect:
        assert plan.candidates[0].name == expect["provider"]
    for kind in expect.get("redact", []):
        assert kind in decision.redact and any(s[1] == kind for s in screening["spans"])
    for kind in expect.get("redact_not", []):
        assert kind not in decision.redact
    if "blur_faces" in expect:
        assert decision.blur_faces is expect["blur_faces"]
    if "explanation" in expect:
        assert expect["explanation"] in decision.explanation
    assert "@" not in decision.explanation and "4111" not in decision.explanation, "no value in an explanation"

    # "Try a request" with the same request at the same moment shows what the real path did.
    shown = simulate(device, row["prompt"], moment, presence, image)
    first = plan.candidates[0] if plan.candidates else None
    assert (shown.rule, shown.explanation, shown.blocked) == (decision.rule, decision.explanation, decision.blocked)
    assert shown.provider == (first.name if first and not decision.blocked else "")
    assert shown.tier == (first.tier if first else decision.max_tier)
    assert shown.refusal == plan.refusal
