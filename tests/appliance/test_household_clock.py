"""The household's time zone and language on the box's pages: times shown, dates typed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.test import Client
from django.utils import translation

from appliance.models import Household
from devices import services as device_services
from devices.models import Device, PairingRequest
from gateway.models import AuditEvent
from gateway.services import Result, close_audit

# Friday 20:00 in UTC is already Saturday 09:00 in Auckland (NZDT, UTC+13).
FRIDAY_EVENING_UTC = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)


def _row(at: dt.datetime, device: str = "tv") -> AuditEvent:
    request_id = str(uuid.uuid4())
    AuditEvent.objects.create(request_id=request_id, created_at=at, device_name=device, kind="chat", model_requested="m")
    close_audit(request_id, Result("ok", tier="home", provider_name="home"))
    return AuditEvent.objects.get(request_id=request_id)


def _household(**fields: Any) -> None:
    Household.objects.filter(pk=1).update(**fields)


def _table(client: Client, **query: str) -> str:
    return client.get("/audit/", query).content.decode().split('id="audit-table"')[1].split("</table>")[0]


def test_the_audit_log_shows_times_on_the_households_clock_with_the_zones_name(owner_client: Client) -> None:
    _household(time_zone="Pacific/Auckland")
    row = _row(FRIDAY_EVENING_UTC)
    page = owner_client.get("/audit/").content.decode()
    assert "2026-11-28 09:00:00 NZDT" in page and "2026-11-27 20:00" not in page
    assert "Pacific/Auckland" in page  # the page says whose clock it is
    detail = owner_client.get(f"/audit/{row.pk}/").content.decode()
    assert "2026-11-28 09:00:00 NZDT" in detail


def test_a_box_whose_household_keeps_utc_labels_its_times_utc(owner_client: Client) -> None:
    _row(FRIDAY_EVENING_UTC)
    assert "2026-11-27 20:00:00 UTC" in _table(owner_client)


def test_a_day_in_the_filter_is_the_households_day_not_utcs(owner_client: Client) -> None:
    _household(time_zone="Pacific/Auckland")
    _row(FRIDAY_EVENING_UTC, device="saturday-morning")
    assert ">saturday-morning<" in _table(owner_client, since="2026-11-28", until="2026-11-28")
    assert ">saturday-morning<" not in _table(owner_client, since="2026-11-27", until="2026-11-27")


def test_date_filters_are_typed_as_the_households_language_writes_dates(owner_client: Client) -> None:
    _household(language="de")
    _row(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), device="last-week")
    _row(dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC), device="this-week")
    page = owner_client.get("/audit/").content.decode()
    assert 'name="since"' in page and 'placeholder="dd.mm.yyyy"' in page
    rows = _table(owner_client, since="25.11.2026")
    assert ">this-week<" in rows and ">last-week<" not in rows
    refilled = owner_client.get("/audit/", {"since": "25.11.2026"}).content.decode()
    assert 'value="25.11.2026"' in refilled  # what was typed stays as it was typed


def test_a_french_household_types_day_first_with_slashes(owner_client: Client) -> None:
    _household(language="fr")
    _row(dt.datetime(2026, 11, 3, 12, tzinfo=dt.UTC), device="third-of-november")
    assert 'placeholder="dd/mm/yyyy"' in owner_client.get("/audit/").content.decode()
    assert ">third-of-november<" in _table(owner_client, since="03/11/2026", until="03/11/2026")
    assert ">third-of-november<" not in _table(owner_client, since="11/03/2026", until="11/03/2026")


def test_a_date_typed_the_wrong_way_says_how_to_type_it(owner_client: Client) -> None:
    _household(language="de")
    page = owner_client.get("/audit/", {"since": "11/28/2026"}).content.decode()
    with translation.override("de"):
        said = translation.gettext("Type the date as %(spelled)s.") % {"spelled": "dd.mm.yyyy"}
    assert 'id="filter-error"' in page and said in page and said != "Type the date as dd.mm.yyyy."


def test_an_iso_date_works_in_every_language(owner_client: Client) -> None:
    _household(language="nl")
    _row(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), device="last-week")
    assert ">last-week<" not in _table(owner_client, since="2026-11-25")


def test_pairing_requests_show_when_they_were_asked_on_the_households_clock(owner_client: Client) -> None:
    _household(time_zone="Pacific/Auckland")
    started = device_services.start_pairing("kitchen tablet", "laptop", "192.168.1.30")
    PairingRequest.objects.filter(code=started.code).update(
        created_at=FRIDAY_EVENING_UTC, expires_at=FRIDAY_EVENING_UTC + dt.timedelta(minutes=10)
    )
    page = owner_client.get("/admin/devices/pairingrequest/").content.decode()
    assert "2026-11-28 09:00 NZDT" in page and "2026-11-28 09:10 NZDT" in page


def test_devices_in_the_admin_show_when_they_were_added_on_the_households_clock(owner_client: Client) -> None:
    _household(time_zone="America/Los_Angeles")
    issued = device_services.add_device("porch speaker", "speaker", "home")
    Device.objects.filter(pk=issued.device.pk).update(created_at=FRIDAY_EVENING_UTC)
    page = owner_client.get("/admin/devices/device/").content.decode()
    assert "2026-11-27 12:00 PST" in page
