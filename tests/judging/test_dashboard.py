"""The coordinator's judging pages in the admin: allowed, denied, exports and the decision."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ideas.models import IdeaStatus
from judging.models import Assignment, Award, ConflictOfInterest
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
)

pytestmark = pytest.mark.django_db


def scored_round(n_ideas=3, *, phase="judging", jurors=3, **fields):
    """Every juror scores every idea; idea i gets i + 1 from every juror on every criterion."""
    competition = make_round(phase=phase, criteria=2, **fields)
    people = [make_juror(competition, role="chair" if j == 0 else "member") for j in range(jurors)]
    ideas = []
    for i in range(n_ideas):
        idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title=f"Idea {i}")
        ideas.append(idea)
        for juror in people:
            make_review(make_assignment(juror, idea), min(5, i + 1))
    return competition, ideas, people


def url(name, competition, *args):
    return reverse(f"judging_admin:{name}", args=[competition.pk, *args])


def test_dashboard_shows_progress_ranking_alpha_and_charts(client, coordinator):
    competition, ideas, people = scored_round()
    client.force_login(coordinator)

    html = client.get(url("dashboard", competition)).content.decode()

    assert "3 of 3" in html  # every juror's progress
    assert html.index("Idea 2") < html.index("Idea 1") < html.index("Idea 0")  # ranked
    assert "Agreement of the jury" in html
    assert html.count('<svg class="chart" role="img"') == 3 + 3  # one per idea, one per juror
    assert "Mean score per criterion of Idea 2: Criterion 0 3.0 / 5" in html
    assert "Too few reviews to normalise" in html  # three reviews each


def test_dashboard_denied_to_jurors_and_team_members(client):
    competition, ideas, people = scored_round()
    for user in (people[0], ideas[0].team.memberships.get().user):
        client.force_login(user)
        response = client.get(url("dashboard", competition))
        assert response.status_code in (302, 403)
        assert "Idea 2" not in response.content.decode()


def test_rounds_list_allowed_and_denied(client, coordinator):
    competition, _ideas, people = scored_round()
    client.force_login(coordinator)
    assert competition.title in client.get(reverse("judging_admin:rounds")).content.decode()
    client.force_login(people[0])
    response = client.get(reverse("judging_admin:rounds"))
    assert competition.title not in response.content.decode()


def test_dashboard_same_number_of_queries_with_1_and_10_ideas(client, coordinator, count_queries):
    client.force_login(coordinator)
    counts = []
    for n in (1, 10):
        competition, _ideas, _people = scored_round(n)
        client.get(url("dashboard", competition))
        counts.append(count_queries(lambda c=competition: client.get(url("dashboard", c))))
    assert counts[0] == counts[1]


def test_order_choice_changes_the_ranking_order(client, coordinator):
    competition, _ideas, _people = scored_round()
    client.force_login(coordinator)
    html = client.get(url("dashboard", competition) + "?order=median").content.decode()
    assert '<option value="median" selected>' in html
    html = client.get(url("dashboard", competition) + "?order=nonsense").content.decode()
    assert '<option value="mean" selected>' in html  # every juror scored every idea


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(("table", "file_format"), [("ranking", "csv"), ("ranking", "xlsx")])
def test_ranking_export(client, coordinator, table, file_format):
    competition, ideas, _people = scored_round(blind_judging=False)
    client.force_login(coordinator)
    response = client.get(url("export", competition, table, file_format))
    rows = read_csv(response) if file_format == "csv" else read_xlsx(response)
    assert rows[0][:4] == ["Rank", "Idea id", "Title", "Team"]
    assert [str(r[2]) for r in rows[1:]] == ["Idea 2", "Idea 1", "Idea 0"]
    assert str(rows[1][3]) == ideas[2].team.name


def test_reviews_export_lists_every_score_and_neutralises_formulas(client, coordinator):
    competition, ideas, people = scored_round(1)
    review = people[0].assignments.get().review
    review.overall_comment = '=HYPERLINK("http://evil")'
    review.save()
    client.force_login(coordinator)
    rows = read_csv(client.get(url("export", competition, "reviews", "csv")))
    assert len(rows) == 1 + 3 * 2
    assert '\'=HYPERLINK("http://evil")' in [row[8] for row in rows]


def test_export_denied_and_unknown_table_is_404(client, coordinator):
    competition, _ideas, people = scored_round(1)
    client.force_login(people[0])
    response = client.get(url("export", competition, "ranking", "csv"))
    assert response.status_code in (302, 403)
    assert "Idea 0" not in response.content.decode(errors="ignore")
    client.force_login(coordinator)
    for table, file_format in (("secrets", "csv"), ("ranking", "pdf")):
        response = client.get(url("export", competition, table, file_format), follow=True)
        assert response.status_code == 404


# --- assignments and conflicts ----------------------------------------------------------------


def test_coordinator_regenerates_before_scores_and_reports_shortfall(client, coordinator):
    competition = make_round(phase="judging", reviews_per_idea=3)
    for _ in range(2):
        make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    make_juror(competition)
    make_juror(competition)
    client.force_login(coordinator)

    client.post(url("regenerate", competition))

    assert Assignment.objects.count() == 4
    html = client.get(url("dashboard", competition)).content.decode()
    assert "fewer reviewers than the round asks for" in html
    assert html.count(": 1 missing") == 2


def test_regenerate_denied_to_a_juror(client):
    competition, _ideas, people = scored_round(1)
    before = Assignment.objects.count()
    client.force_login(people[0])
    response = client.post(url("regenerate", competition))
    assert response.status_code in (302, 403)
    assert Assignment.objects.count() == before


def test_coordinator_adds_and_removes_single_assignments(client, coordinator):
    competition = make_round(phase="judging")
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    juror = make_juror(competition)
    client.force_login(coordinator)

    client.post(url("add_assignment", competition), {"juror": juror.pk, "idea": idea.pk})
    assignment = Assignment.objects.get(juror=juror, idea=idea)
    client.post(url("remove_assignment", competition, assignment.pk))
    assert not Assignment.objects.exists()


def test_add_assignment_denied_to_a_juror(client):
    competition = make_round(phase="judging")
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    juror = make_juror(competition)
    client.force_login(juror)
    response = client.post(url("add_assignment", competition), {"juror": juror.pk, "idea": idea.pk})
    assert response.status_code in (302, 403)
    assert not Assignment.objects.exists()


def test_coordinator_sets_and_lifts_a_conflict_with_a_reason(client, coordinator):
    competition, ideas, people = scored_round(1)
    client.force_login(coordinator)
    data = {"juror": people[1].pk, "idea": ideas[0].pk, "active": "1", "reason": "Spouse in team"}

    client.post(url("conflict", competition), data)
    assert ConflictOfInterest.objects.get().active is True
    client.post(url("conflict", competition), data | {"active": "0", "reason": "Wrong person"})
    row = ConflictOfInterest.objects.get()
    assert (row.active, row.reason, row.source) == (False, "Wrong person", "coordinator")


def test_conflict_without_a_reason_is_refused_on_the_field(client, coordinator):
    competition, ideas, people = scored_round(1)
    client.force_login(coordinator)
    data = {"juror": people[1].pk, "idea": ideas[0].pk, "active": "1", "reason": ""}
    response = client.post(url("conflict", competition), data)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ConflictOfInterest.objects.exists()


def test_conflict_change_denied_to_a_juror(client):
    competition, ideas, people = scored_round(1)
    client.force_login(people[0])
    data = {"juror": people[1].pk, "idea": ideas[0].pk, "active": "1", "reason": "Mischief"}
    response = client.post(url("conflict", competition), data)
    assert response.status_code in (302, 403)
    assert not ConflictOfInterest.objects.exists()


# --- the decision -----------------------------------------------------------------------------


def decision_data(ideas, competition, **by_idea):
    criteria = list(competition.criteria.values_list("pk", flat=True))
    data = {}
    for idea in ideas:
        entry = by_idea.get(f"i{idea.pk}", {})
        data[f"{idea.pk}-level"] = entry.get("level", "")
        data[f"{idea.pk}-rationale"] = entry.get("rationale", "")
        if entry.get("criteria", entry.get("level")):
            data[f"{idea.pk}-criteria"] = entry.get("criteria", criteria[:1])
        data[f"{idea.pk}-feedback"] = entry.get("feedback", "")
        data[f"{idea.pk}-votes"] = entry.get("votes", "")
    return data


def test_coordinator_records_the_decision(client, coordinator):
    competition, ideas, _people = scored_round(phase="deliberation")
    client.force_login(coordinator)
    winner = ideas[2]
    data = decision_data(
        ideas,
        competition,
        **{f"i{winner.pk}": {"level": "winner", "rationale": "Fast help.", "votes": "3"}},
    )

    response = client.post(url("decision", competition), data)

    assert response.status_code == 302
    assert Award.objects.get(idea=winner).level == "winner"
    assert Award.objects.get(idea=winner).votes == 3
    winner.refresh_from_db()
    assert winner.status == IdeaStatus.AWARDED
    assert set(competition.ideas.exclude(pk=winner.pk).values_list("status", flat=True)) == {
        IdeaStatus.NOT_AWARDED
    }


def test_decision_without_rationale_is_refused_with_a_message(client, coordinator):
    competition, ideas, _people = scored_round(phase="deliberation")
    client.force_login(coordinator)
    data = decision_data(ideas, competition, **{f"i{ideas[0].pk}": {"level": "winner"}})
    data[f"{ideas[1].pk}-feedback"] = "Kept feedback."

    response = client.post(url("decision", competition), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Write the jury&#x27;s rationale for the award." in html
    assert "Kept feedback." in html
    assert not Award.objects.exists()


def test_decision_denied_to_a_juror_and_before_judging_closes(client, coordinator):
    competition, ideas, people = scored_round(phase="deliberation")
    data = decision_data(
        ideas, competition, **{f"i{ideas[0].pk}": {"level": "winner", "rationale": "x"}}
    )
    client.force_login(people[0])
    response = client.post(url("decision", competition), data)
    assert response.status_code in (302, 403)
    assert not Award.objects.exists()

    judging, judged, _people = scored_round(phase="judging")
    client.force_login(coordinator)
    data = decision_data(
        judged, judging, **{f"i{judged[0].pk}": {"level": "winner", "rationale": "x"}}
    )
    assert client.post(url("decision", judging), data).status_code in (302, 403)
    assert not Award.objects.exists()


def test_feedback_reaches_the_team_only_when_results_are_out(client, coordinator):
    competition, ideas, _people = scored_round(phase="deliberation")
    idea = ideas[0]
    client.force_login(coordinator)
    data = decision_data(ideas, competition, **{f"i{idea.pk}": {"feedback": "Try a pilot."}})
    client.post(url("decision", competition), data)
    lead = idea.team.memberships.get().user
    client.force_login(lead)

    before = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    assert "Try a pilot." not in before
    assert "Not awarded" not in before

    from ideas.models import CompetitionPage
    from tests.factories import round_dates

    CompetitionPage.objects.filter(pk=competition.pk).update(
        **round_dates("results"), results_published_at=timezone.now()
    )
    after = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    assert "Try a pilot." in after
    assert "Not awarded" in after


def test_anonymous_visitor_is_sent_to_sign_in(client):
    competition, _ideas, _people = scored_round(1)
    response = client.get(url("dashboard", competition))
    assert response.status_code == 302


def test_user_unknown_to_the_round_sees_nothing(client):
    competition, _ideas, _people = scored_round(1)
    client.force_login(UserFactory())
    response = client.get(url("dashboard", competition))
    assert "Idea 0" not in response.content.decode()


def test_remove_assignment_denied_to_a_juror(client):
    competition = make_round(phase="judging")
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    juror = make_juror(competition)
    assignment = make_assignment(juror, idea)
    client.force_login(juror)
    response = client.post(url("remove_assignment", competition, assignment.pk))
    assert response.status_code in (302, 403)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_shortfall_only_once_judging_started_and_after_a_later_conflict(client, coordinator):
    client.force_login(coordinator)
    open_round = make_round(phase="open", reviews_per_idea=1)
    make_idea(competition=open_round, status=IdeaStatus.SUBMITTED, title="Early entry")
    make_juror(open_round)
    html = client.get(url("dashboard", open_round)).content.decode()
    assert "fewer reviewers than the round asks for" not in html

    competition, ideas, people = scored_round(1, reviews_per_idea=3)
    ConflictOfInterest.objects.create(
        idea=ideas[0], juror=people[2], active=True, source="declared", reason="Cousin."
    )
    html = client.get(url("dashboard", competition)).content.decode()
    assert "Idea 0: 1 missing" in html
