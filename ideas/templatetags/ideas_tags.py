"""What other apps' templates show of ideas, without importing it (the home page uses these)."""

from django import template
from django.utils import timezone
from wagtail.models import Locale

from ideas.models import CompetitionPage, InnovationPage

register = template.Library()


@register.simple_tag
def open_rounds():
    """Live rounds in the current language whose submission window is open now."""
    return list(
        CompetitionPage.objects.live()
        .public()
        .filter(locale=Locale.get_active())
        .open_at(timezone.now())
        .order_by("closes_at")
    )


@register.simple_tag
def latest_winners(count: int = 3):
    """The most recently published winning innovations in the current language."""
    return list(
        InnovationPage.objects.live()
        .public()
        .filter(locale=Locale.get_active())
        .order_by("-first_published_at")[:count]
    )
