"""Template filters of the box's pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from .. import household
from ..rules_words import tier_word

register = template.Library()


@register.filter
def money(amount: object) -> str:
    """Show an amount in the household's currency."""
    return household.money(amount, household.currency())


@register.filter
def tier(tier_id: object) -> str:
    """Show a tier's id ("trusted") as a word in the page's language."""
    return tier_word(str(tier_id))


@register.filter
def said(text: object) -> str:
    """Show a text of the data files (a preset's title or sentence) in the page's language (appliance/data_words.py)."""
    return gettext(str(text)) if text else ""
