from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from ideas.models import CompetitionPage, Phase
from tests.factories import home_page, make_index, make_round

pytestmark = pytest.mark.django_db

HELSINKI = ZoneInfo("Europe/Helsinki")
SECOND = timedelta(seconds=1)


def unsaved_round(**dates) -> CompetitionPage:
    # Results published the moment they were announced for: the phase's last edge.
    dates.setdefault("results_published_at", dates.get("results_at"))
    return CompetitionPage(title="Round", slug="round", intro="Intro", **dates)


# Helsinki wall-clock dates spanning the switch to summer time on Sunday 29 March 2026
# (03:00 EET → 04:00 EEST): opens and closes in winter time, the rest in summer time.
DST_DATES = {
    "opens_at": datetime(2026, 3, 1, 9, 0, tzinfo=HELSINKI),
    "closes_at": datetime(2026, 3, 29, 2, 30, tzinfo=HELSINKI),
    "judging_closes_at": datetime(2026, 3, 29, 4, 30, tzinfo=HELSINKI),
    "results_at": datetime(2026, 4, 15, 12, 0, tzinfo=HELSINKI),
}


@pytest.mark.parametrize(
    ("date_field", "before", "after"),
    [
        ("opens_at", Phase.UPCOMING, Phase.OPEN),
        ("closes_at", Phase.OPEN, Phase.JUDGING),
        ("judging_closes_at", Phase.JUDGING, Phase.DELIBERATION),
        ("results_at", Phase.DELIBERATION, Phase.RESULTS),
    ],
)
def test_phase_one_second_around_each_date_across_summer_time(date_field, before, after):
    competition = unsaved_round(**DST_DATES)
    edge = DST_DATES[date_field]

    assert competition.phase_at(edge - SECOND) == before
    assert competition.phase_at(edge) == after
    assert competition.phase_at(edge + SECOND) == after


def test_phase_dates_keep_helsinki_wall_clock_across_summer_time():
    # 02:30 EET is 00:30 UTC; 04:30 EEST is 01:30 UTC: one real hour apart, not two.
    closes_utc = DST_DATES["closes_at"].astimezone(UTC)
    judging_utc = DST_DATES["judging_closes_at"].astimezone(UTC)
    assert closes_utc == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert judging_utc - closes_utc == timedelta(hours=1)
    competition = unsaved_round(**DST_DATES)
    assert competition.phase_at(datetime(2026, 3, 29, 1, 29, 59, tzinfo=UTC)) == Phase.JUDGING
    assert competition.phase_at(datetime(2026, 3, 29, 1, 30, 0, tzinfo=UTC)) == Phase.DELIBERATION


@pytest.mark.parametrize(
    ("phase", "label", "date_field"),
    [
        (Phase.UPCOMING, "Submissions open", "opens_at"),
        (Phase.OPEN, "Submission deadline", "closes_at"),
        (Phase.JUDGING, "Judging ends", "judging_closes_at"),
        (Phase.DELIBERATION, "Results expected", "results_at"),
    ],
)
def test_next_milestone_is_the_next_date_of_the_phase(phase, label, date_field):
    competition = unsaved_round(**DST_DATES)
    order = ["opens_at", "closes_at", "judging_closes_at", "results_at"]
    index = order.index(date_field)
    when = DST_DATES[date_field] - SECOND if index == 0 else DST_DATES[order[index - 1]]
    assert competition.phase_at(when) == phase

    milestone = competition.next_milestone_at(when)

    assert str(milestone.label) == label
    assert milestone.at == DST_DATES[date_field]


def test_next_milestone_is_none_after_results():
    competition = unsaved_round(**DST_DATES)
    assert competition.next_milestone_at(DST_DATES["results_at"] + SECOND) is None


@pytest.mark.parametrize(
    ("later_field", "earlier_field"),
    [
        ("closes_at", "opens_at"),
        ("judging_closes_at", "closes_at"),
        ("results_at", "judging_closes_at"),
    ],
)
@pytest.mark.parametrize("shift", [timedelta(0), timedelta(hours=-1)], ids=["equal", "before"])
def test_dates_out_of_order_are_refused_on_the_later_field(later_field, earlier_field, shift):
    dates = dict(DST_DATES)
    dates[later_field] = dates[earlier_field] + shift
    competition = unsaved_round(**dates)

    with pytest.raises(ValidationError) as refused:
        competition.clean()

    assert later_field in refused.value.message_dict
    assert "Must be later than" in refused.value.message_dict[later_field][0]


def validation_errors(instance) -> dict[str, list[str]]:
    try:
        instance.clean()
    except ValidationError as refused:
        return refused.message_dict
    return {}


def test_dates_in_order_are_accepted():
    assert validation_errors(unsaved_round(**DST_DATES)) == {}


def test_competition_index_lists_rounds_newest_first_with_phase(client):
    index = make_index()
    make_round(index, title="Round of 2024", phase="results")
    make_round(index, title="Round of 2026", phase="open")
    make_round(index, title="Round of 2025", phase="judging")

    html = client.get(index.url).content.decode()

    positions = [html.index(f"Round of {year}") for year in (2026, 2025, 2024)]
    assert positions == sorted(positions)
    assert "Open for ideas" in html
    assert "Judging" in html
    assert "Results published" in html


def test_competition_index_without_rounds_says_so(client):
    html = client.get(make_index().url).content.decode()
    assert "No rounds have been published yet." in html


def test_competition_page_shows_dates_phase_criteria_and_judging_settings(client):
    competition = make_round(
        title="Innovation competition 2026",
        intro="New ways to serve a client together.",
        eligibility="<p>Any team from the service units.</p>",
        phase="open",
        reviews_per_idea=3,
        blind_judging=True,
    )

    html = client.get(competition.url).content.decode()

    assert "<h1>Innovation competition 2026</h1>" in html
    assert "New ways to serve a client together." in html
    assert "Any team from the service units." in html
    assert "Open for ideas" in html
    assert "Submission deadline" in html
    closes_local = competition.closes_at.astimezone(HELSINKI)
    assert f'datetime="{closes_local.isoformat()}"' in html
    assert "(Helsinki time)" in html
    for name in ("Target group", "Impact", "Streamlined service pathway", "Client focus"):
        assert f'<th scope="row">{name}</th>' in html
    assert "The client actually gets an appointment" in html
    assert "1: A small need, already well served" in html
    assert "Each idea is scored by 3 jurors." in html
    assert "Judging is blind" in html


def test_competition_page_when_every_juror_scores_every_idea(client):
    competition = make_round(reviews_per_idea=None, blind_judging=False)

    html = client.get(competition.url).content.decode()

    assert "Every juror scores every idea." in html
    assert "Jurors see which team wrote each idea." in html


def test_rounds_list_query_count_is_the_same_for_1_and_10_rounds(client, count_queries):
    index = make_index()
    make_round(index)
    client.get(index.url)  # warm Wagtail's per-site caches
    with_one = count_queries(lambda: client.get(index.url))
    for _ in range(9):
        make_round(index)

    with_ten = count_queries(lambda: client.get(index.url))

    assert with_one == with_ten
    assert html_count(client.get(index.url), 'class="card"') == 10


def test_round_page_query_count_is_the_same_for_1_and_10_criteria(client, count_queries):
    one = make_round(criteria=1)
    ten = make_round(criteria=10)
    client.get(one.url)

    with_one = count_queries(lambda: client.get(one.url))
    with_ten = count_queries(lambda: client.get(ten.url))

    assert with_one == with_ten
    assert html_count(client.get(ten.url), '<th scope="row">') == 10


def html_count(response, fragment: str) -> int:
    return response.content.decode().count(fragment)


# --- the editor -------------------------------------------------------------------------------


def round_form_data(**overrides):
    data = {
        "title": "Innovation competition 2027",
        "slug": "2027",
        "intro": "What this round asks for.",
        "eligibility": rich_text(""),
        "body": streamfield([]),
        "opens_at": "2026-03-28 12:00",
        "closes_at": "2026-03-29 12:00",
        "judging_closes_at": "2026-04-20 16:00",
        "results_at": "2026-05-04 12:00",
        "blind_judging": "on",
        "reviews_per_idea": "",
        "winners_allowed": "1",
        "juror_reminder_days": "3",
        "criteria": inline_formset(
            [
                {
                    "name": "Client focus",
                    "description": "Built around the client.",
                    "lowest_means": "",
                    "highest_means": "",
                    "weight": "1",
                    "scale_min": "1",
                    "scale_max": "5",
                }
            ]
        ),
        "jury_members": inline_formset([]),
        "questions": inline_formset([]),
        "idea_fields": streamfield([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def add_round_url(index) -> str:
    return f"/admin/pages/add/ideas/competitionpage/{index.pk}/"


def test_editor_new_round_starts_with_the_six_default_criteria(client, coordinator):
    client.force_login(coordinator)

    html = client.get(add_round_url(make_index())).content.decode()

    for name in (
        "Target group",
        "Impact",
        "Streamlined service pathway",
        "Multi-professional cooperation",
        "Transferability",
        "Client focus",
    ):
        assert f'value="{name}"' in html
    assert 'name="criteria-TOTAL_FORMS" value="6"' in html


def test_editor_new_round_in_finnish_starts_with_finnish_criteria(client, coordinator):
    from home.demo import translate

    finnish_home = translate(
        home_page(), language="fi", strings={"home": "koti", "Ideatori": "Ideatori"}
    )
    finnish_index = make_index(finnish_home, title="Kilpailut", slug="kilpailut")
    client.force_login(coordinator)

    html = client.get(add_round_url(finnish_index)).content.decode()

    assert finnish_index.locale == Locale.objects.get(language_code="fi")
    assert 'value="Kohderyhmä"' in html
    assert 'value="Asiakaslähtöisyys"' in html
    assert 'value="Target group"' not in html


def test_editor_enters_dates_in_helsinki_time_across_summer_time(client, coordinator):
    index = make_index()
    client.force_login(coordinator)

    response = client.post(add_round_url(index), round_form_data())

    assert response.status_code == 302, response.content.decode()[:2000]
    created = CompetitionPage.objects.get(slug="2027")
    # 28 March is winter time (UTC+2), 29 March is summer time (UTC+3).
    assert created.opens_at == datetime(2026, 3, 28, 10, 0, tzinfo=UTC)
    assert created.closes_at == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    assert [c.name for c in created.criteria.all()] == ["Client focus"]


def test_editor_refuses_dates_out_of_order_with_message_on_the_field(client, coordinator):
    index = make_index()
    client.force_login(coordinator)

    response = client.post(add_round_url(index), round_form_data(closes_at="2026-03-01 12:00"))

    html = response.content.decode()
    assert response.status_code == 200
    assert not CompetitionPage.objects.filter(slug="2027").exists()
    assert "Must be later than “submissions open”." in html
    assert 'value="2026-03-01 12:00"' in html
    assert 'value="Innovation competition 2027"' in html


def test_editor_saves_the_default_criteria_as_the_browser_sends_them(client, coordinator):
    from wagtail.test.utils.form_data import querydict_from_html

    index = make_index()
    client.force_login(coordinator)
    form = querydict_from_html(
        client.get(add_round_url(index)).content.decode(), form_id="page-edit-form"
    )
    # Type what a person would; the stream and rich-text editors are JavaScript widgets.
    for field, value in round_form_data().items():
        if not field.startswith("criteria-"):
            form[field] = value

    response = client.post(add_round_url(index), form)

    assert response.status_code == 302, response.content.decode()[:2000]
    created = CompetitionPage.objects.get(slug="2027")
    assert created.criteria.count() == 6
    assert created.criteria.first().name == "Target group"
