"""The owner's weekly digest: what left the house by tier, device and kind of data, and what was kept home.

Counted from the audit rows of the last whole week in the household's zone and told once
per ISO week, as a notice of kind "digest" (appliance.tasks.send_digest). Never a prompt,
an answer or a value: counts, tiers, kinds of data and, as the privacy level allows, devices.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlencode

from django.db.models import Count
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from devices.choices import Category
from gateway.models import AuditEvent

from .. import household, rules_words
from ..models import Household, Notice, Privacy
from . import notices

DIGEST_HOUR = 8  # told on Monday from this hour, in the household's zone
OUTSIDE = ("trusted", "cloud")


def _week_before(now: dt.datetime, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the last whole week (Monday 00:00 to Monday 00:00) in the household's zone."""
    today = timezone.localtime(now, zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    end = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    return dt.datetime.combine(monday - dt.timedelta(days=7), dt.time.min, tzinfo=zone), end


def _counted(pairs: Iterable[tuple[str, int]], most: int = 5) -> str:
    ranked = sorted(pairs, key=lambda p: (-p[1], p[0]))
    shown = [f"{name}: {n}" for name, n in ranked[:most]]
    rest = ranked[most:]
    if rest:
        # Translators: the same words for one or many in English ("3 others: 12"): how many more, then their requests.
        shown.append(
            ngettext("%(n)d others: %(total)d", "%(n)d others: %(total)d", len(rest))
            % {"n": len(rest), "total": sum(n for _name, n in rest)}
        )
    return "; ".join(shown)


def _requests(n: int) -> str:
    return ngettext("%(n)d request", "%(n)d requests", n) % {"n": n}


def digest(now: dt.datetime | None = None) -> notices.Found | None:
    """Return the weekly digest of the last whole week once it is due (Monday from 08:00, the household's time); else None.

    Counts from the audit rows only: what left the house by tier, by device (by kind of
    device without device names; none at 'counts only'), the kinds of personal data
    replaced before it left, what stayed home. Never a prompt, an answer or a value.
    """
    now = now or timezone.now()
    h = Household.objects.filter(pk=1).first()
    if h is None or h.setup_finished_at is None:
        return None
    zone = household.zone_of(h.time_zone)
    start, end = _week_before(now, zone)
    if timezone.localtime(now, zone) < end.replace(hour=DIGEST_HOUR):
        return None
    rows = AuditEvent.objects.filter(created_at__gte=start, created_at__lt=end)
    outside = rows.filter(tier__in=OUTSIDE)
    total = rows.count()
    left = outside.count()
    by_tier = dict(outside.order_by().values("tier").annotate(n=Count("id")).values_list("tier", "n"))
    redacted: Counter[str] = Counter()
    for counts in outside.exclude(redactions={}).values_list("redactions", flat=True).iterator(chunk_size=2000):
        redacted.update({str(k): int(v) for k, v in (counts or {}).items()})
    parts = []
    if left:
        tiers = "; ".join(f"{rules_words.TIER_NAMES[t]}: {by_tier[t]}" for t in OUTSIDE if by_tier.get(t))
        parts.append(_("Left the house: %(requests)s (%(tiers)s).") % {"requests": _requests(left), "tiers": tiers})
        if h.privacy == Privacy.FULL:
            named = outside.order_by().values("device_name").annotate(n=Count("id")).values_list("device_name", "n")
            parts.append(_("By device: %(devices)s.") % {"devices": _counted(named)})
        elif h.privacy == Privacy.NO_DEVICE_NAMES:
            # The rows' own names may predate the level: the device's kind, from its record.
            kinds: Counter[str] = Counter()
            said = dict(Category.choices)
            for category, n in outside.order_by().values("device__category").annotate(n=Count("id")).values_list("device__category", "n"):
                kinds[rules_words.in_sentence(str(said.get(category, category))) if category else _("removed devices")] += n
            parts.append(_("By kind of device: %(kinds)s.") % {"kinds": _counted(kinds.items())})
        if redacted:
            kinds_said = _counted(((rules_words.kind_name(k), n) for k, n in redacted.items()), most=6)
            parts.append(_("Personal data replaced by placeholders before it left: %(kinds)s.") % {"kinds": kinds_said})
        else:
            parts.append(_("No personal data was replaced before it left."))
    else:
        parts.append(_("Nothing left the house."))
    home = rows.filter(tier="home").count()
    parts.append(
        _("Kept home: %(requests)s, %(home)d of them answered by the home model.") % {"requests": _requests(total - left), "home": home}
    )
    last = (end - dt.timedelta(days=1)).date()
    year, week, _weekday = start.date().isocalendar()
    link = "/audit/?" + urlencode({"since": start.date().isoformat(), "until": last.isoformat()})
    title = _("Your week, %(start)s to %(end)s: %(left)d left the house, %(kept)d kept home") % {
        "start": dateformat.format(start, "d M"),
        "end": dateformat.format(last, "d M"),
        "left": left,
        "kept": total - left,
    }
    return notices.Found("digest", f"digest:{year}-W{week:02d}", title[:200], " ".join(parts)[:500], link)


def check_digest(now: dt.datetime | None = None) -> list[Notice]:
    """Tell the weekly digest once its week is over (once per ISO week); return it if it is new."""
    now = now or timezone.now()
    # Stored and sent as worded now: in the household's language, whoever reads it later.
    with notices.in_household_language():
        found = digest(now)
        return notices.tell([found] if found else [], now)
