import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from ideas.models import IdeaStatus, ServiceUnit
from tests.factories import UserFactory, make_idea, make_round, make_team, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    competition = make_round()
    clinic = make_unit("Child health clinic")
    library = make_unit("Library", service_area="culture")
    submitted = make_idea(
        team=make_team(units=[clinic], name="Clinic team"),
        competition=competition,
        status=IdeaStatus.SUBMITTED,
        title='=HYPERLINK("http://evil.example")',
        target_group="Expectant parents",
    )
    draft = make_idea(
        team=make_team(units=[library], name="Library team"),
        competition=competition,
        title="Reading corner for families",
        summary="+1 more loan",
        target_group="Families",
    )
    return submitted, draft, clinic


def test_coordinator_lists_filters_and_searches_every_idea(client, coordinator, entries):
    submitted, draft, clinic = entries
    client.force_login(coordinator)

    everything = client.get("/admin/idea/").content.decode()
    by_status = client.get("/admin/idea/", {"status": "submitted"}).content.decode()
    by_unit = client.get("/admin/idea/", {"service_unit": clinic.pk}).content.decode()
    by_group = client.get("/admin/idea/", {"target_group": "famil"}).content.decode()
    by_search = client.get("/admin/idea/", {"q": "Reading"}).content.decode()

    assert "Reading corner for families" in everything and "Clinic team" in everything
    assert "Clinic team" in by_status and "Reading corner" not in by_status
    assert "Clinic team" in by_unit and "Reading corner" not in by_unit
    assert "Reading corner" in by_group and "Clinic team" not in by_group
    assert "Reading corner" in by_search and "Clinic team" not in by_search


def test_export_neutralises_formulas_in_csv_and_xlsx(client, coordinator, entries):
    client.force_login(coordinator)

    csv_response = client.get("/admin/idea/", {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    xlsx_response = client.get("/admin/idea/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx_response.streaming_content))).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]

    titles = {row["Title"] for row in rows}
    assert titles == {'\'=HYPERLINK("http://evil.example")', "Reading corner for families"}
    assert {row["Summary"] for row in rows} >= {"'+1 more loan"}
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert "'+1 more loan" in cells
    assert not any(isinstance(value, str) and value.startswith(("=", "+")) for value in cells)


def test_coordinator_reads_an_idea_but_cannot_edit_it(client, coordinator, entries):
    submitted, _draft, _clinic = entries
    client.force_login(coordinator)

    inspect = client.get(f"/admin/idea/inspect/{submitted.pk}/")
    edit = client.get(f"/admin/idea/edit/{submitted.pk}/")

    assert "Expectant parents" in inspect.content.decode()
    assert edit.status_code in {302, 403}
    assert "Expectant parents" not in edit.content.decode()


@pytest.mark.parametrize("who", ["team_member", "anonymous"])
def test_admin_idea_listing_is_closed_to_others(client, entries, who):
    if who == "team_member":
        client.force_login(entries[0].team.memberships.first().user)

    response = client.get("/admin/idea/")

    assert response.status_code in {302, 403}
    assert "Reading corner" not in response.content.decode()


def test_admin_listing_query_count_is_the_same_for_1_and_10_ideas(
    client, coordinator, count_queries
):
    competition = make_round()
    team = make_team()
    make_idea(team=team, competition=competition)
    client.force_login(coordinator)
    client.get("/admin/idea/")
    with_one = count_queries(lambda: client.get("/admin/idea/"))
    for _ in range(9):
        make_idea(team=make_team(), competition=competition)

    with_ten = count_queries(lambda: client.get("/admin/idea/"))

    assert with_one == with_ten


def test_coordinator_keeps_service_units_named_in_each_language(client, coordinator):
    client.force_login(coordinator)

    response = client.post(
        "/admin/snippets/ideas/serviceunit/add/",
        {
            "name_en": "Youth services",
            "name_fi": "Nuorisopalvelut",
            "name_sv": "Ungdomstjänster",
            "service_area": "youth",
        },
    )

    assert response.status_code == 302
    unit = ServiceUnit.objects.get(name_en="Youth services")
    assert unit.service_area == "youth"
    with translation.override("fi"):
        assert unit.name == "Nuorisopalvelut"
    with translation.override("sv"):
        assert unit.name == "Ungdomstjänster"


def test_service_unit_needs_its_name_in_the_default_language(client, coordinator):
    client.force_login(coordinator)

    response = client.post(
        "/admin/snippets/ideas/serviceunit/add/",
        {"name_en": "", "name_fi": "Nuorisopalvelut", "service_area": "youth"},
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert 'value="Nuorisopalvelut"' in response.content.decode()
    assert not ServiceUnit.objects.exists()


def test_team_member_cannot_keep_service_units(client):
    client.force_login(UserFactory())

    client.post(
        "/admin/snippets/ideas/serviceunit/add/", {"name_en": "Rogue", "service_area": "youth"}
    )

    assert not ServiceUnit.objects.filter(name="Rogue").exists()


def test_coordinator_lists_teams_but_team_members_do_not(client, coordinator, entries):
    client.force_login(coordinator)
    allowed = client.get("/admin/team/").content.decode()
    client.force_login(entries[1].team.memberships.first().user)
    denied = client.get("/admin/team/")

    assert "Clinic team" in allowed and "Library team" in allowed
    assert denied.status_code in {302, 403}
    assert "Clinic team" not in denied.content.decode()
