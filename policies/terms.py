"""The household's own private terms: what screening looks for besides personal data of
every household (children's names, the street, the school, pets).

Read by the classify worker for every request from what it holds, and read again from the
database only after a term changed (appliance.plumbing.versioned). The values never enter a log
line: the admin's history records who changed a term, naming it by its label.
"""

from __future__ import annotations

import logging

from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from appliance.plumbing.versioned import Versioned
from policies.detectors import HouseholdTerm as Term
from policies.models import HouseholdTerm

log = logging.getLogger(__name__)


def load_terms() -> tuple[Term, ...]:
    """Return the household's terms as the detectors take them."""
    return tuple(Term(label, value) for label, value in HouseholdTerm.objects.values_list("label", "value"))


TERMS = Versioned(HouseholdTerm.objects.none().version_name, load_terms)


def cached_terms(version: str | None = None) -> tuple[Term, ...]:
    """Return the household's terms, read from the database only after they changed.

    `version`: the rules' version token, when the web process read it for the request
    (terms share it: policies.models.HouseholdTermQuerySet).
    """
    return TERMS.get(version)


def _record(user: AbstractBaseUser | None, term: HouseholdTerm, action: int, message: str) -> None:
    """Note in the admin's history who changed a term, naming it by its label only."""
    if user is not None and user.pk is not None:
        LogEntry.objects.log_actions(user.pk, [term], action, change_message=message, single_object=True)


@transaction.atomic
def add_term(label: str, value: str, by: AbstractBaseUser | None = None) -> HouseholdTerm:
    """Add a private term (validated: raises ValidationError); screening looks for it at once."""
    term = HouseholdTerm(label=label, value=value)
    term.full_clean()
    term.save()
    _record(by, term, ADDITION, "Added in the setup wizard.")
    log.info("a household term was added")  # not its value, nor its label (the owner's own words)
    return term


@transaction.atomic
def remove_term(term_id: int, by: AbstractBaseUser | None = None) -> None:
    """Remove a private term."""
    term = HouseholdTerm.objects.filter(pk=term_id).first()
    if term is None:
        return
    _record(by, term, DELETION, "Removed in the setup wizard.")
    term.delete()
