"""Next year's round copied from last year's: what the copy takes (criteria, settings, texts,
translations), its dates a year on in Helsinki wall-clock time, what it leaves behind (ideas,
jury, results), and that the old round does not change."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from wagtail.models import Locale, Page, PageLogEntry
from wagtail_localize.models import Translation

from home.demo import translate
from ideas import permissions
from ideas.copying import a_year_later
from ideas.models import CompetitionPage, Idea, IdeaStatus, Phase
from ideas.services import NotAllowed, copy_round
from judging.models import Criterion, JuryMember
from tests.factories import (
    UserFactory,
    make_idea,
    make_index,
    make_innovation,
    make_juror,
    make_round,
    make_team,
    publish,
)

pytestmark = pytest.mark.django_db

HELSINKI = ZoneInfo("Europe/Helsinki")
# After last year's round has ended: the moment the coordinator prepares the next one.
NOW = datetime(2025, 6, 2, 10, 0, tzinfo=HELSINKI)

# Summer time begins on 30 March 2025 and on 29 March 2026: the deadline on 29 March is in
# winter time (UTC+2) last year and in summer time (UTC+3) this year.
OLD_DATES = {
    "opens_at": datetime(2025, 1, 13, 9, 0, tzinfo=HELSINKI),
    "closes_at": datetime(2025, 3, 29, 16, 0, tzinfo=HELSINKI),
    "judging_closes_at": datetime(2025, 4, 11, 16, 0, tzinfo=HELSINKI),
    "results_at": datetime(2025, 5, 5, 12, 0, tzinfo=HELSINKI),
}
NEW_DATES = {
    "opens_at": datetime(2026, 1, 13, 9, 0, tzinfo=HELSINKI),
    "closes_at": datetime(2026, 3, 29, 16, 0, tzinfo=HELSINKI),
    "judging_closes_at": datetime(2026, 4, 11, 16, 0, tzinfo=HELSINKI),
    "results_at": datetime(2026, 5, 5, 12, 0, tzinfo=HELSINKI),
}

INTRO = "New ways to serve a client together."
ELIGIBILITY = "<p>Any team from the service units.</p>"
PARAGRAPH = "<p>Write the idea together with the clients it serves.</p>"
CRITERIA = [
    {
        "name": "Client focus",
        "description": "Built around the client's life.",
        "lowest_means": "Designed around the organisation",
        "highest_means": "Designed with the client",
        "weight": Decimal("2.50"),
        "scale_min": 0,
        "scale_max": 10,
    },
    {
        "name": "Impact",
        "description": "How many clients the change reaches.",
        "lowest_means": "",
        "highest_means": "",
        "weight": Decimal("1.00"),
        "scale_min": 1,
        "scale_max": 5,
    },
]
FINNISH = {
    "Competitions": "Kilpailut",
    "competitions": "kilpailut",
    "Innovation competition 2025": "Innovaatiokilpailu 2025",
    "2025": "2025",
    INTRO: "Uusia tapoja palvella asiakasta yhdessä.",
    "Any team from the service units.": "Mikä tahansa palveluyksiköiden tiimi.",
    "Write the idea together with the clients it serves.": "Kirjoittakaa idea yhdessä "
    "asiakkaiden kanssa.",
    "Client focus": "Asiakaslähtöisyys",
    "Built around the client's life.": "Rakentuu asiakkaan elämän ympärille.",
    "Designed around the organisation": "Suunniteltu organisaation ehdoilla",
    "Designed with the client": "Suunniteltu asiakkaan kanssa",
    "Impact": "Vaikuttavuus",
    "How many clients the change reaches.": "Kuinka moneen asiakkaaseen muutos ulottuu.",
    "Spring ideas": "Kevään ideat",
    "spring-ideas": "kevaan-ideat",
}
SWEDISH = {"Competitions": "Tävlingar", "competitions": "tavlingar"}
SWEDISH_CRITERIA = {"Client focus": "Klientfokus", "Impact": "Effekt"}
SWEDISH_INTRO = "Nya sätt att tillsammans betjäna en klient."


def language(code: str) -> Locale:
    return Locale.objects.get(language_code=code)


def last_years_round(swedish_title="Innovationstävlingen 2025", **fields) -> CompetitionPage:
    """Last year's round, results out, with ideas, a jury, a winner's page, a Finnish
    translation made through wagtail-localize and a Swedish one edited by hand."""
    index = make_index()
    translate(index, language="fi", strings=FINNISH)
    translate(index, language="sv", strings=SWEDISH)
    fields.setdefault("title", "Innovation competition 2025")
    fields.setdefault("slug", "2025")
    page = CompetitionPage(
        intro=INTRO,
        eligibility=ELIGIBILITY,
        body=[("paragraph", PARAGRAPH)],
        blind_judging=False,
        reviews_per_idea=3,
        jurors_see_other_scores=True,
        required_idea_fields=["summary", "problem"],
        results_published_at=OLD_DATES["results_at"],
        **OLD_DATES,
        **fields,
    )
    page.criteria = [Criterion(sort_order=i, **row) for i, row in enumerate(CRITERIA)]
    competition = publish(index, page)
    make_juror(competition, role="chair")
    make_idea(competition=competition, status=IdeaStatus.AWARDED)
    make_idea(competition=competition, status=IdeaStatus.NOT_AWARDED)
    make_innovation(competition)
    translate(competition, language="fi", strings=FINNISH)
    swedish = competition.copy_for_translation(language("sv"))
    swedish.title = swedish_title
    swedish.intro = SWEDISH_INTRO
    swedish.save_revision().publish()
    for criterion in Criterion.objects.filter(competition=swedish):
        criterion.name = SWEDISH_CRITERIA[criterion.name]
        criterion.save()
    return CompetitionPage.objects.get(pk=competition.pk)


@pytest.fixture
def old_round():
    return last_years_round()


def criteria_of(page) -> list[dict]:
    return list(
        Criterion.objects.filter(competition=page)
        .order_by("sort_order")
        .values(*CRITERIA[0], "translation_key", "locale__language_code")
    )


def without_keys(rows: list[dict]) -> list[dict]:
    return [
        {k: v for k, v in row.items() if k not in {"translation_key", "locale__language_code"}}
        for row in rows
    ]


def pages_of(page) -> dict[str, CompetitionPage]:
    return {
        p.locale.language_code: p
        for p in CompetitionPage.objects.filter(translation_key=page.translation_key)
    }


def test_copy_round_copies_criteria_settings_and_texts(old_round, coordinator):
    new = copy_round(competition=old_round, by=coordinator, now=NOW)

    assert new.locale.language_code == "en"
    assert new.get_parent().pk == old_round.get_parent().pk
    assert (new.title, new.draft_title, new.slug) == (
        "Innovation competition 2026",
        "Innovation competition 2026",
        "2026",
    )
    assert (new.intro, new.eligibility) == (INTRO, ELIGIBILITY)
    assert list(new.body.raw_data) == list(old_round.body.raw_data)
    assert new.blind_judging is False
    assert new.reviews_per_idea == 3
    assert new.jurors_see_other_scores is True
    assert new.required_idea_fields == ["summary", "problem"]
    assert without_keys(criteria_of(new)) == without_keys(criteria_of(old_round)) == CRITERIA
    old_keys = {row["translation_key"] for row in criteria_of(old_round)}
    assert not old_keys & {row["translation_key"] for row in criteria_of(new)}
    assert new.translation_key != old_round.translation_key


def test_copy_round_moves_dates_a_year_on_in_helsinki_time_across_summer_time(
    old_round, coordinator
):
    new = copy_round(competition=old_round, by=coordinator, now=NOW)

    for name, expected in NEW_DATES.items():
        assert getattr(new, name) == expected, name
    # The deadline keeps 16:00 on the clock in Helsinki: 14:00 UTC last year in winter time,
    # 13:00 UTC this year in summer time, so 365 days less an hour.
    assert old_round.closes_at.astimezone(UTC).hour == 14
    assert new.closes_at.astimezone(UTC) == datetime(2026, 3, 29, 13, 0, tzinfo=UTC)
    assert new.closes_at - old_round.closes_at == timedelta(days=365, hours=-1)
    assert new.opens_at - old_round.opens_at == timedelta(days=365)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2028, 2, 29, 12, 0), datetime(2029, 2, 28, 12, 0)),
        (datetime(2027, 2, 28, 12, 0), datetime(2028, 2, 28, 12, 0)),
        (datetime(2025, 3, 29, 16, 0), datetime(2026, 3, 29, 16, 0)),
        (datetime(2025, 10, 25, 23, 59, 59), datetime(2026, 10, 25, 23, 59, 59)),
        (datetime(2025, 12, 31, 23, 30), datetime(2026, 12, 31, 23, 30)),
    ],
    ids=["29 February", "28 February", "into summer time", "out of summer time", "new year"],
)
def test_a_year_later_keeps_the_helsinki_wall_clock(moment, expected):
    moved = a_year_later(moment.replace(tzinfo=HELSINKI).astimezone(UTC))

    assert moved.astimezone(HELSINKI).replace(tzinfo=None) == expected


def test_copy_round_is_an_upcoming_draft_without_ideas_jury_or_results(old_round, coordinator):
    new = copy_round(competition=old_round, by=coordinator, now=NOW)

    assert not new.live and new.has_unpublished_changes
    assert new.first_published_at is None and new.live_revision is None
    assert new.results_published_at is None
    assert new.phase_at(NOW) == Phase.UPCOMING
    assert new.phase_at(NEW_DATES["opens_at"]) == Phase.OPEN
    assert new.phase_at(NEW_DATES["results_at"] + timedelta(days=1)) == Phase.DELIBERATION
    assert not Idea.objects.filter(competition=new).exists()
    assert not JuryMember.objects.filter(competition__translation_key=new.translation_key)
    assert not new.get_children().exists()
    assert new.owner == coordinator
    assert new.revisions.count() == 1
    for page in pages_of(new).values():
        assert not page.live and page.results_published_at is None
        assert page.phase_at(NOW) == Phase.UPCOMING


def test_copy_round_leaves_the_old_round_untouched(old_round, coordinator):
    before = {
        code: (page.__class__.objects.filter(pk=page.pk).values().get(), criteria_of(page))
        for code, page in pages_of(old_round).items()
    }
    ideas = list(Idea.objects.filter(competition=old_round).values())
    jury = list(JuryMember.objects.filter(competition=old_round).values())
    children = list(old_round.get_children().values_list("pk", flat=True))

    copy_round(competition=old_round, by=coordinator, now=NOW)

    after = {
        code: (page.__class__.objects.filter(pk=page.pk).values().get(), criteria_of(page))
        for code, page in pages_of(old_round).items()
    }
    assert after == before
    assert set(before) == {"en", "fi", "sv"}
    assert list(Idea.objects.filter(competition=old_round).values()) == ideas
    assert list(JuryMember.objects.filter(competition=old_round).values()) == jury
    assert list(old_round.get_children().values_list("pk", flat=True)) == children
    entry = PageLogEntry.objects.get(page=old_round, action="ideatori.round_copied")
    assert entry.user == coordinator and entry.timestamp == NOW


def test_copy_round_makes_draft_translations_with_their_translated_texts(old_round, coordinator):
    new = copy_round(competition=old_round, by=coordinator, now=NOW)

    pages = pages_of(new)
    assert set(pages) == {"en", "fi", "sv"}
    finnish, swedish = pages["fi"], pages["sv"]
    old_pages = pages_of(old_round)
    for code in ("fi", "sv"):
        page = pages[code]
        assert not page.live
        assert page.get_parent().pk == old_pages[code].get_parent().pk
        assert page.canonical() == new
        for name, expected in NEW_DATES.items():
            assert getattr(page, name) == expected
        # The criteria stay translations of the new round's criteria, in the same order.
        assert [row["translation_key"] for row in criteria_of(page)] == [
            row["translation_key"] for row in criteria_of(new)
        ]
        assert {row["locale__language_code"] for row in criteria_of(page)} == {code}
    assert (finnish.title, finnish.slug) == ("Innovaatiokilpailu 2026", "2026")
    assert finnish.intro == FINNISH[INTRO]
    assert "Mikä tahansa palveluyksiköiden tiimi." in finnish.eligibility
    assert "Kirjoittakaa idea yhdessä" in str(finnish.body)
    assert [row["name"] for row in criteria_of(finnish)] == ["Asiakaslähtöisyys", "Vaikuttavuus"]
    assert criteria_of(finnish)[0]["lowest_means"] == "Suunniteltu organisaation ehdoilla"
    assert criteria_of(finnish)[0]["weight"] == Decimal("2.50")
    # Made through wagtail-localize like the old one, so it is edited and synced there.
    assert Translation.objects.filter(
        source__object_id=new.translation_key, target_locale=language("fi"), enabled=True
    ).exists()

    assert (swedish.title, swedish.slug) == ("Innovationstävlingen 2026", "2026")
    assert swedish.intro == SWEDISH_INTRO
    assert [row["name"] for row in criteria_of(swedish)] == ["Klientfokus", "Effekt"]
    # Translated by hand before, so still a page of its own.
    assert not Translation.objects.filter(
        source__object_id=new.translation_key, target_locale=language("sv")
    ).exists()


def test_copy_round_from_a_translation_copies_its_round(old_round, coordinator):
    finnish = old_round.get_translation(language("fi")).specific

    new = copy_round(competition=finnish, by=coordinator, now=NOW)

    assert new.locale.language_code == "en"
    assert new.title == "Innovation competition 2026"
    assert set(pages_of(new)) == {"en", "fi", "sv"}
    assert CompetitionPage.objects.filter(title__endswith="2026").count() == 3


@pytest.mark.parametrize(
    ("title", "slug", "new_title", "new_slug"),
    [
        ("Spring ideas", "spring-ideas", "Spring ideas (copy)", "spring-ideas-copy"),
        (
            "Carbon neutral by 2030: round 2025",
            "carbon-neutral-2030-2025",
            "Carbon neutral by 2030: round 2026",
            "carbon-neutral-2030-2026",
        ),
        (
            "Innovation competition 2025",
            "innovation-competition",
            "Innovation competition 2026",
            "innovation-competition-copy",
        ),
    ],
    ids=["no year", "another number", "year in the title only"],
)
def test_copy_round_names_the_new_year_or_copy(coordinator, title, slug, new_title, new_slug):
    old = make_round(title=title, slug=slug, criteria=1, **OLD_DATES)

    new = copy_round(competition=old, by=coordinator, now=NOW)

    assert (new.title, new.slug) == (new_title, new_slug)


def test_copy_round_names_each_language_by_its_own_title(coordinator):
    old = last_years_round(title="Spring ideas", slug="spring-ideas", swedish_title="Vårens idéer")

    pages = pages_of(copy_round(competition=old, by=coordinator, now=NOW))

    assert (pages["en"].title, pages["en"].slug) == ("Spring ideas (copy)", "spring-ideas-copy")
    assert (pages["fi"].title, pages["fi"].slug) == ("Kevään ideat (kopio)", "kevaan-ideat-kopio")
    assert (pages["sv"].title, pages["sv"].slug) == ("Vårens idéer (kopia)", "spring-ideas-kopia")


def test_copy_round_takes_a_free_slug(coordinator):
    index = make_index()
    make_round(index, title="Innovation competition 2026", slug="2026")
    old = make_round(index, title="Innovation competition 2025", slug="2025", **OLD_DATES)

    new = copy_round(competition=old, by=coordinator, now=NOW)

    assert (new.title, new.slug) == ("Innovation competition 2026", "2026-1")


def editor():
    """Wagtail's editor: edits pages in the admin, is no coordinator."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.mark.parametrize("role", ["team member", "editor", "anonymous"])
def test_copy_round_refused_for_others_creates_nothing(old_round, role):
    user = {"team member": make_team().memberships.get().user, "anonymous": AnonymousUser()}.get(
        role
    ) or editor()
    pages = Page.objects.count()

    with pytest.raises(NotAllowed):
        copy_round(competition=old_round, by=user, now=NOW)

    assert Page.objects.count() == pages
    assert not PageLogEntry.objects.filter(action="ideatori.round_copied").exists()


# --- the predicate ----------------------------------------------------------------------------

ROLES = ["anonymous", "team_member", "juror", "editor", "coordinator", "superuser"]
PAGES = ["round", "translation"]
ALLOWED = {(role, page) for role in ("coordinator", "superuser") for page in PAGES}


def test_can_copy_round_truth_table(old_round, coordinator):
    member, juror = UserFactory(), UserFactory()
    make_team(lead=member)
    make_juror(old_round, juror)
    users = {
        "anonymous": AnonymousUser(),
        "team_member": member,
        "juror": juror,
        "editor": editor(),
        "coordinator": coordinator,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    pages = {"round": old_round, "translation": old_round.get_translation(language("fi"))}

    answers = {
        (role, page): permissions.can_copy_round(users[role], pages[page])
        for role, page in product(ROLES, PAGES)
    }

    assert {case for case, allowed in answers.items() if allowed} == ALLOWED
    assert all(isinstance(answer, bool) for answer in answers.values())


# --- the admin action -------------------------------------------------------------------------


def copy_url(page) -> str:
    return f"/admin/rounds/copy/{page.pk}/"


def test_copy_round_is_offered_on_a_round_to_a_coordinator(client, coordinator, old_round):
    client.force_login(coordinator)
    index = old_round.get_parent()

    editor_html = client.get(f"/admin/pages/{old_round.pk}/edit/").content.decode()
    listing_html = client.get(f"/admin/pages/{index.pk}/").content.decode()
    index_html = client.get(f"/admin/pages/{index.pk}/edit/").content.decode()

    assert f'href="{copy_url(old_round)}"' in editor_html
    assert f'href="{copy_url(old_round)}"' in listing_html
    assert copy_url(index) not in index_html
    assert client.get(copy_url(index), follow=True).status_code == 404


def test_copy_round_confirmation_says_what_is_copied_and_creates_nothing(
    client, coordinator, old_round
):
    client.force_login(coordinator)
    pages = Page.objects.count()

    html = client.get(copy_url(old_round)).content.decode()

    assert "Copy this round: Innovation competition 2025" in html
    assert "<dd>Innovation competition 2026</dd>" in html
    assert 'datetime="2026-03-29T16:00:00+03:00"' in html
    for text in ("The criteria: names", "The judging settings", "Not copied", "The jury: people"):
        assert text in html
    assert "(Suomi, Svenska)" in html
    assert Page.objects.count() == pages


@pytest.mark.parametrize("translated", [False, True], ids=["round", "from its translation"])
def test_copy_round_admin_copies_and_opens_the_new_draft_in_the_editor(
    client, coordinator, old_round, translated
):
    client.force_login(coordinator)
    page = old_round.get_translation(language("fi")) if translated else old_round

    response = client.post(copy_url(page), follow=True)

    new = CompetitionPage.objects.get(title="Innovation competition 2026")
    assert response.redirect_chain == [(f"/admin/pages/{new.pk}/edit/", 302)]
    html = response.content.decode()
    assert 'value="Innovation competition 2026"' in html
    assert "“Innovation competition 2026” is a draft." in html
    assert not new.live and set(pages_of(new)) == {"en", "fi", "sv"}


@pytest.mark.parametrize("role", ["team member", "editor"])
def test_copy_round_admin_denied_without_the_coordinators_group(client, old_round, role):
    user = editor() if role == "editor" else make_team().memberships.get().user
    client.force_login(user)
    pages = Page.objects.count()

    shown = client.get(copy_url(old_round))
    posted = client.post(copy_url(old_round))

    assert shown.status_code in {302, 403} and posted.status_code in {302, 403}
    assert "/edit/" not in posted.get("Location", "")
    assert "Innovation competition 2026" not in shown.content.decode()
    assert Page.objects.count() == pages
    assert not CompetitionPage.objects.filter(title__endswith="2026").exists()
    if role == "editor":
        editor_html = client.get(f"/admin/pages/{old_round.pk}/edit/").content.decode()
        assert f"/admin/pages/{old_round.pk}/copy/" in editor_html  # Wagtail's own copy
        assert copy_url(old_round) not in editor_html


def test_copy_round_moves_a_screening_date_a_year_on(old_round, coordinator):
    # A one-stage round's copy judges in one stage.
    assert copy_round(competition=old_round, by=coordinator, now=NOW).screening_closes_at is None
    screening = old_round.closes_at + timedelta(days=7)
    CompetitionPage.objects.filter(pk=old_round.pk).update(screening_closes_at=screening)
    old_round.refresh_from_db()
    new = copy_round(competition=old_round, by=coordinator, now=NOW)
    assert new.screening_closes_at == a_year_later(screening)
    assert new.closes_at < new.screening_closes_at < new.judging_closes_at
