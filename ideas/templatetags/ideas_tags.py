"""What other apps' templates show of ideas, without importing it (the home page uses these)."""

from django import template
from django.core.cache import cache
from django.utils import timezone, translation
from wagtail.models import Locale

from home.memo import public, shared
from ideas.models import Adoption, CompetitionPage, Idea, InnovationPage, Phase, PilotStatus

register = template.Library()

# Statuses an innovation reaches only by having been piloted.
# Rounds that have opened, whatever happened since.
HELD = [Phase.OPEN, Phase.JUDGING, Phase.DELIBERATION, Phase.RESULTS]
PILOTED = [PilotStatus.PILOTING, PilotStatus.PERMANENT, PilotStatus.SCALED, PilotStatus.ENDED]


@register.simple_tag
def open_rounds():
    """Live rounds in the current language whose submission window is open now, each
    knowing its round (``open_round.round.closes_at``), soonest deadline first."""
    # Every round of the language, each asked its phase: a site holds a few rounds a year,
    # and the phase in SQL (a CASE on subqueries of the round's dates) cost a third of an
    # uncached home page to compile.
    # The rounds are read once per edition of the site; their phase is asked at each visit.
    language = translation.get_language()
    rounds = shared(
        f"rounds:{language}",
        lambda: list(
            public(CompetitionPage.objects.live())
            .filter(locale__language_code=language)
            .with_rounds()
        ),
    )
    now = timezone.now()
    return sorted(
        (page for page in rounds if page.phase_at(now) == Phase.OPEN),
        key=lambda page: (page.round.closes_at, page.pk),
    )


@register.simple_tag
def latest_winners(count: int = 3):
    """The most recently published winning innovations in the current language (read once
    per edition of the site)."""
    language = translation.get_language()
    return shared(
        f"latest_winners:{language}:{count}",
        lambda: list(
            public(InnovationPage.objects.live())
            .filter(locale__language_code=language)
            .order_by("-first_published_at")[:count]
        ),
    )


FIGURES_CACHE_SECONDS = 300


@register.simple_tag
def figures() -> dict[str, int]:
    """The home page's figure strip, counted from the rounds in the default language (the
    translations are the same rounds); kept for five minutes, as the figures change slowly."""
    return cache.get_or_set("ideatori:figures", _count_figures, FIGURES_CACHE_SECONDS)


def _count_figures() -> dict[str, int]:
    default = Locale.get_default()
    now = timezone.now()
    innovations = InnovationPage.objects.live().public().filter(locale=default)
    return {
        "rounds": CompetitionPage.objects.live()
        .filter(locale=default)
        .in_phase(*HELD, at=now)
        .count(),
        "ideas": Idea.objects.entered().count(),
        "piloted": innovations.filter(pilot_status__in=PILOTED).count(),
        "adoptions": Adoption.objects.filter(page__in=innovations).count(),
    }
