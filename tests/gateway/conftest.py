"""The gateway tests exercise routing and the request path, so the household's rules here
let every device use up to its own highest tier (the default rule would keep everything
home). The rules themselves are tested in tests/policies."""

from __future__ import annotations

import pytest

from policies.models import HouseholdRule


@pytest.fixture(autouse=True)
def rules_allow_each_device_its_tier(transactional_db: None) -> None:
    """Tests of rules on the path replace this with their own."""
    HouseholdRule.objects.create(name="Everything up to the device's tier", conditions={}, actions={"max_tier": "cloud"})
