"""The showcase's list: published innovations of every round, filtered, searched and paged.

Filters come from the URL, so a filtered list can be shared; a value the filter does not know
is dropped and the rest of the filter kept. Search uses Wagtail's search backend (the database
backend: SQLite's full-text search in development, PostgreSQL's in production).
"""

import re
from dataclasses import dataclass

import django_filters
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from home.memo import public, shared
from home.pagination import PER_PAGE, Paginated, first_page, paginate

from .models import Award, ClientGroup, CompetitionPage, InnovationPage, PilotStatus, ServiceArea

SEARCH_MAX_LENGTH = 200


class InnovationFilterSet(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label=_("Round"), method="filter_year", empty_label=_("Any"))
    service_area = django_filters.ChoiceFilter(
        label=_("Service area"),
        choices=ServiceArea.choices,
        field_name="units__service_area",
        distinct=True,
        empty_label=_("Any"),
    )
    client_group = django_filters.ChoiceFilter(
        label=_("Client group"), choices=ClientGroup.choices, empty_label=_("Any")
    )
    award = django_filters.ChoiceFilter(
        label=_("Award"), choices=Award.choices, empty_label=_("Any")
    )
    pilot_status = django_filters.ChoiceFilter(
        label=_("Pilot status"), choices=PilotStatus.choices, empty_label=_("Any")
    )
    adopted = django_filters.ChoiceFilter(
        label=_("Taken up elsewhere"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        method="filter_adopted",
        empty_label=_("Either"),
    )

    class Meta:
        model = InnovationPage
        fields: list[str] = []

    def __init__(self, *args, rounds: dict[int, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = rounds
        self.filters["year"].extra["choices"] = [
            (str(y), str(y)) for y in sorted(rounds, reverse=True)
        ]

    def filter_year(self, queryset, name, value):
        prefixes = self.rounds.get(int(value), [])
        condition = Q(pk__in=[])
        for prefix in prefixes:
            condition |= Q(path__startswith=prefix)
        return queryset.filter(condition)

    def filter_adopted(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(adoptions__isnull=False).distinct()
        return queryset.filter(adoptions__isnull=True)


@dataclass(frozen=True)
class Showcase:
    form: object
    paginated: Paginated
    search: str
    shortened: bool
    filtered: bool


def _rounds_by_year(language: str) -> dict[int, list[str]]:
    """The paths of the language's live rounds by the year each opened, read once per
    edition of the site (``home.memo.shared``)."""
    return shared(f"rounds_by_year:{language}", lambda: _read_rounds_by_year(language))


def _read_rounds_by_year(language: str) -> dict[int, list[str]]:
    rounds: dict[int, list[str]] = {}
    for path, opens_at in (
        public(CompetitionPage.objects.live())
        .filter(locale__language_code=language)
        .with_round_fields(round_opens_at="opens_at")
        .values_list("path", "round_opens_at")
    ):
        rounds.setdefault(opens_at.year, []).append(path)
    return rounds


def showcase(request) -> Showcase:
    language = translation.get_language()
    base = public(InnovationPage.objects.live()).filter(locale__language_code=language)
    data = request.GET.copy()
    rounds = _rounds_by_year(language)
    filterset = InnovationFilterSet(data, queryset=base, rounds=rounds)
    if not request.GET:
        # The showcase as most visitors land on it (no filter, no search, the first page),
        # which only publishing changes: its length and first page are read once per edition
        # of the site, and nothing is asked of the empty filters.
        count, first = shared(
            f"showcase:{language}",
            lambda: _length_and_first_page(_newest_first(filterset.qs)),
        )
        return Showcase(
            form=filterset.form,
            paginated=first_page(first, count),
            search="",
            shortened=False,
            filtered=False,
        )
    if not filterset.is_valid():
        # Values the filter does not know (an old link, a typed URL) are dropped, not errors.
        for name in filterset.errors:
            data.pop(name, None)
        filterset = InnovationFilterSet(data, queryset=base, rounds=rounds)
    items = filterset.qs
    search = request.GET.get("q", "").strip()
    shortened = len(search) > SEARCH_MAX_LENGTH
    search = search[:SEARCH_MAX_LENGTH]
    # Full-text query syntax (quotes, operators) is not for visitors: words only.
    words = " ".join(re.findall(r"\w+", search))
    if search:
        # The search backend ranks, counts and slices in the database: the paginator asks it
        # for the count and one page, whatever the number of matches. The filtered list goes
        # in as a subquery of ids, the one filter every backend accepts on any field.
        searched = InnovationPage.objects.filter(pk__in=items.values("pk")).with_round(
            round_title="title"
        )
        items = searched.search(words, order_by_relevance=True) if words else searched.none()
    else:
        items = _newest_first(items)
    return Showcase(
        form=filterset.form,
        paginated=paginate(request, items),
        search=search,
        shortened=shortened,
        filtered=any(data.get(name) for name in filterset.filters) or bool(search),
    )


def _newest_first(items):
    return items.order_by("-first_published_at", "-pk").with_round(round_title="title")


def _length_and_first_page(items) -> tuple[int, list]:
    return items.count(), list(items[:PER_PAGE])
