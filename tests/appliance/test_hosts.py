"""HEARTH_ALLOWED_HOSTS=auto: the box answers to its names and its current addresses only."""

from __future__ import annotations

from django.http.request import validate_host

from appliance.hosts import interface_addresses
from appliance.settings import _allowed_hosts


def test_auto_accepts_the_box_names_and_its_addresses() -> None:
    hosts = _allowed_hosts("auto")
    assert validate_host("hearth.local", hosts)
    assert validate_host("127.0.0.1", hosts)
    for address in interface_addresses():
        assert validate_host(address, hosts)


def test_auto_refuses_other_names_so_dns_rebinding_fails() -> None:
    hosts = _allowed_hosts("auto")
    assert not validate_host("attacker.example", hosts)
    assert "*" not in hosts


def test_a_fixed_list_is_taken_as_written() -> None:
    assert _allowed_hosts("box.home, 10.0.0.2") == ["box.home", "10.0.0.2"]
