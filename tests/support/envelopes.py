"""Envelopes of requests as the classify worker queues them, for tests that drive the serving task."""

from __future__ import annotations

import dataclasses
from typing import Any

from devices.models import Device
from gateway import schema
from gateway.envelope import DeviceFacts, Envelope, Planned
from policies.rules import Decision
from policies.screening import Screening

CLEAN: Screening = {"labels": [], "scores": {}, "chars": 0, "version": "", "spans": [], "people": 0, "faces": 0, "failed": ""}


def screened(
    device: Device, request_id: str, body: dict[str, Any], provider_ids: list[int], *, completion: bool = False, queue: str = "upstream"
) -> Envelope:
    """The envelope of a request screened clean, which the rules let go to the cloud, planned to these providers."""
    api = (schema.completion_request if completion else schema.chat_request)({"model": "cloudy-model", **body})
    envelope = Envelope.of(DeviceFacts(device.pk, device.name, device.category, device.max_tier), api, {})
    decision = Decision("Everything may go", "cloud", None, (), "", False, "may go to the cloud")
    return dataclasses.replace(envelope, request_id=request_id).screened(CLEAN, decision, Planned(tuple(provider_ids), queue))
