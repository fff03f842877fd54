"""Personas of the box's pages: the owner, a household member, a stranger, a device."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import OWNER_PASSWORD as PASSWORD


@pytest.fixture
def member(owner: Any) -> Any:
    return get_user_model().objects.create_user("teen", password=PASSWORD)


@pytest.fixture
def owner_client(owner: Any) -> Client:
    c = Client()
    c.force_login(owner)
    return c


@pytest.fixture
def member_client(member: Any) -> Client:
    c = Client()
    c.force_login(member)
    return c
