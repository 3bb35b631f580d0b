"""The innovation page in Wagtail's editor: outcomes typed wrong are refused with a message on
the field, and what the editor typed stays in the form."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from ideas.models import InnovationPage
from tests.factories import make_innovation, make_round

pytestmark = pytest.mark.django_db


def status(day: str, value: str = "piloting") -> dict:
    return {"status": value, "date": day, "note": ""}


def metric(baseline: str = "30", result: str = "6") -> dict:
    return {
        "name": "Days to a psychologist",
        "unit": "days",
        "baseline": baseline,
        "result": result,
        "period": "2025",
        "source": "Client records",
        "note": "",
    }


def adoption(day: str) -> dict:
    return {"adopter": "Northern family centre", "kind": "centre", "adopted_on": day, "form": ""}


def editor_data(page, *, statuses=(), metrics=(), adoptions=()) -> dict:
    """What the editor's form posts for ``page`` with these outcome rows."""
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "summary": page.summary,
            "problem": "",
            "service_model": "",
            "target_group": "",
            "client_group": "families",
            "pathway_before": "",
            "pathway_after": "",
            "professions": "",
            "award": "winner",
            "jury_rationale": rich_text("<p>Clients reach help sooner.</p>"),
            "updates": streamfield([]),
            "seo_title": "",
            "search_description": "",
            "comments": inline_formset([]),
            "status_changes": inline_formset(list(statuses)),
            "metrics": inline_formset(list(metrics)),
            "quotes": inline_formset([]),
            "adoptions": inline_formset(list(adoptions)),
        }
    )


@pytest.fixture
def innovation():
    results = make_round(
        phase="results",
        results_published_at=datetime(2025, 5, 5, 12, tzinfo=ZoneInfo("Europe/Helsinki")),
    )
    return make_innovation(results, title="Psychologist within reach")


def save(client, page, data):
    return client.post(f"/admin/pages/{page.pk}/edit/", data)


def test_editor_saves_good_outcomes(client, coordinator, innovation):
    client.force_login(coordinator)

    response = save(
        client,
        innovation,
        editor_data(
            innovation,
            statuses=[status("2025-06-01", "planned"), status("2025-09-01", "piloting")],
            metrics=[metric("30", "6.5")],
            adoptions=[adoption("2025-05-05")],
        ),
    )

    assert response.status_code == 302
    saved = InnovationPage.objects.get(pk=innovation.pk).get_latest_revision_as_object()
    assert [(row.baseline, row.result) for row in saved.metrics.all()] == [
        (Decimal("30"), Decimal("6.5"))
    ]
    assert [row.adopted_on for row in saved.adoptions.all()] == [date(2025, 5, 5)]
    assert [row.status for row in saved.status_changes.all()] == ["planned", "piloting"]


@pytest.mark.parametrize(
    ("rows", "field", "typed", "message"),
    [
        (
            {"metrics": [metric(baseline="about thirty")]},
            "metrics-0-baseline",
            "about thirty",
            "Enter a number.",
        ),
        ({"metrics": [metric(result="6 days")]}, "metrics-0-result", "6 days", "Enter a number."),
        (
            {"adoptions": [adoption("2025-05-04")]},
            "adoptions-0-adopted_on",
            "2025-05-04",
            "The model was taken up after the results (May 5, 2025), not before.",
        ),
        (
            {"statuses": [status("2025-09-01", "piloting"), status("2025-06-01", "permanent")]},
            "status_changes-1-date",
            "2025-06-01",
            "A status cannot start before the one above it (Sept. 1, 2025).",
        ),
    ],
    ids=[
        "baseline not a number",
        "result not a number",
        "adoption before results",
        "dates out of order",
    ],
)
def test_editor_refuses_bad_outcomes_on_the_field_keeping_the_input(
    client, coordinator, innovation, rows, field, typed, message
):
    client.force_login(coordinator)
    before = innovation.get_latest_revision()

    response = save(client, innovation, editor_data(innovation, **rows))

    html = response.content.decode()
    assert response.status_code == 200
    assert "The page could not be saved due to validation errors" in html
    # The field keeps what was typed, is marked invalid, and names its message.
    field_input = re.search(rf'<input[^>]*name="{field}"[^>]*>', html).group(0)
    assert f'value="{typed}"' in field_input and 'aria-invalid="true"' in field_input
    errors_id = re.search(r'aria-describedby="([^"]+)"', field_input).group(1)
    errors = html[html.index(f'id="{errors_id}"') :].split("</div>", 1)[0]
    assert message in errors
    assert InnovationPage.objects.get(pk=innovation.pk).get_latest_revision() == before


def test_editor_refuses_outcomes_while_the_round_results_are_unpublished(client, coordinator):
    waiting = make_round(phase="deliberation")
    page = make_innovation(waiting, title="Too early")
    client.force_login(coordinator)

    response = save(client, page, editor_data(page, metrics=[metric()]))

    html = response.content.decode()
    assert "The round&#x27;s results are not published yet; its innovations wait for them." in html
    assert 'value="Days to a psychologist"' in html


def test_editor_preview_shows_the_page_with_its_round(client, coordinator, innovation):
    client.force_login(coordinator)
    preview_url = f"/admin/pages/{innovation.pk}/edit/preview/"

    posted = client.post(preview_url, editor_data(innovation, metrics=[metric("30", "6")]))
    shown = client.get(preview_url).content.decode()

    assert posted.json()["is_valid"] is True
    assert "<h1>Psychologist within reach</h1>" in shown
    assert f'href="{innovation.get_parent().url}">{innovation.get_parent().title}</a>' in shown
    assert "Days to a psychologist" in shown
