"""Template filters of the box's pages."""

from __future__ import annotations

from django import template

from .. import household

register = template.Library()


@register.filter
def money(amount: object) -> str:
    """Show an amount in the household's currency."""
    return household.money(amount, household.currency())
