"""Two-stage judging and the jury's meeting: the predicates' truth tables, the shortlist and
the meeting's votes as services, the stage a juror sees, the final ranking, and the
shortlist and meeting pages allowed and denied."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from ideas.models import CompetitionPage, IdeaStatus, Stage
from ideas.services import NotAllowed
from judging import permissions, services
from judging.models import (
    Assignment,
    ConflictOfInterest,
    JuryMember,
    MeetingVote,
    Review,
    ShortlistEntry,
)
from judging.scoreboard import round_ranking
from judging.views import assigned_rows
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    make_team,
    round_dates,
)

pytestmark = pytest.mark.django_db

MOMENTS = ["open", "screening", "final", "deliberation", "results"]


def two_stage_dates(moment: str) -> dict:
    """Dates of a two-stage round at ``moment``: screening ends ten days after submissions
    close, except in judging, where it ends five days ahead (screening) or ago (final)."""
    phase = {"screening": "judging", "final": "judging"}.get(moment, moment)
    dates = round_dates(phase)
    if moment == "screening":
        dates["screening_closes_at"] = timezone.now() + timedelta(days=5)
    elif moment == "final":
        dates["screening_closes_at"] = timezone.now() - timedelta(days=5)
    else:
        dates["screening_closes_at"] = dates["closes_at"] + timedelta(days=10)
    return dates


def two_stage_round(moment: str = "final", **fields) -> CompetitionPage:
    phase = {"screening": "judging", "final": "judging"}.get(moment, moment)
    return make_round(phase=phase, criteria=2, **(two_stage_dates(moment) | fields))


def move_to(competition, moment: str) -> CompetitionPage:
    CompetitionPage.objects.filter(pk=competition.pk).update(**two_stage_dates(moment))
    return CompetitionPage.objects.get(pk=competition.pk)


def screened_round(ideas: int = 4, jurors: int = 3, **fields):
    """A two-stage round in its final stage: every juror screened every idea, idea n scored
    n + 1 by each juror (so the last idea ranks first)."""
    competition = two_stage_round("final", **fields)
    people = [make_juror(competition, role="chair" if n == 0 else "member") for n in range(jurors)]
    made = [
        make_idea(
            team=make_team(name=f"Team {n}"),
            competition=competition,
            status=IdeaStatus.SUBMITTED,
            title=f"Idea {n}",
        )
        for n in range(ideas)
    ]
    for n, idea in enumerate(made):
        for juror in people:
            make_review(make_assignment(juror, idea), min(n + 1, 5))
    return competition, made, people


# --- the predicates -----------------------------------------------------------------------------

ROLES = ["coordinator", "chair", "member", "outsider", "anonymous"]


def person(role, competition, coordinator):
    if role == "coordinator":
        return coordinator
    if role == "anonymous":
        return AnonymousUser()
    if role == "outsider":
        return UserFactory()
    return make_juror(competition, role=role)


@pytest.mark.parametrize(
    ("role", "moment", "two_stage", "expected"),
    [
        (role, moment, two_stage, role == "coordinator" and two_stage and moment == "final")
        for role in ROLES
        for moment in MOMENTS
        for two_stage in (True, False)
    ],
)
def test_can_choose_shortlist(coordinator, role, moment, two_stage, expected):
    dates = two_stage_dates(moment)
    if not two_stage:
        dates["screening_closes_at"] = None
    competition = make_round(phase="judging", criteria=1, **dates)
    user = person(role, competition, coordinator)
    assert permissions.can_choose_shortlist(user, competition) is expected


@pytest.mark.parametrize(
    ("role", "moment", "expected"),
    [
        (role, moment, role in {"coordinator", "chair", "member"} and moment in AFTER)
        for role in ROLES
        for moment in MOMENTS
        for AFTER in [{"deliberation", "results"}]
    ],
)
def test_can_view_meeting(coordinator, role, moment, expected):
    competition = two_stage_round(moment)
    user = person(role, competition, coordinator)
    assert permissions.can_view_meeting(user, competition) is expected


@pytest.mark.parametrize(
    ("role", "moment", "expected"),
    [
        (role, moment, role in {"coordinator", "chair"} and moment == "deliberation")
        for role in ROLES
        for moment in MOMENTS
    ],
)
def test_can_record_meeting_votes(coordinator, role, moment, expected):
    competition = two_stage_round(moment)
    user = person(role, competition, coordinator)
    assert permissions.can_record_meeting_votes(user, competition) is expected


# --- the shortlist ------------------------------------------------------------------------------


def test_choose_shortlist_assigns_every_shortlisted_idea_to_every_juror(coordinator):
    competition, ideas, people = screened_round()
    # A conflict keeps its juror off the idea in the final stage too.
    ConflictOfInterest.objects.create(
        idea=ideas[3], juror=people[2], active=True, source="declared", reason="My team."
    )
    entries = services.choose_shortlist(competition=competition, ideas=ideas[1:], by=coordinator)
    assert sorted(e.idea_id for e in entries) == [i.pk for i in ideas[1:]]
    final = set(Assignment.objects.filter(stage=Stage.FINAL).values_list("juror_id", "idea_id"))
    expected = {(j.pk, i.pk) for j in people for i in ideas[1:]} - {(people[2].pk, ideas[3].pk)}
    assert final == expected
    # Choosing again replaces the shortlist and its assignments.
    services.choose_shortlist(competition=competition, ideas=ideas[:1], by=coordinator)
    assert list(ShortlistEntry.objects.values_list("idea_id", flat=True)) == [ideas[0].pk]
    assert set(Assignment.objects.filter(stage=Stage.FINAL).values_list("idea_id", flat=True)) == {
        ideas[0].pk
    }
    assert Assignment.objects.filter(stage=Stage.SCREENING).count() == 12


def test_choose_shortlist_assigns_only_the_final_jury(client, coordinator):
    competition, ideas, people = screened_round()
    JuryMember.objects.filter(user=people[2]).update(final_jury=False)
    services.choose_shortlist(competition=competition, ideas=ideas[2:], by=coordinator)
    final = set(Assignment.objects.filter(stage=Stage.FINAL).values_list("juror_id", flat=True))
    assert final == {people[0].pk, people[1].pk}
    # The screening juror left out sees nothing to score in the final stage.
    assert assigned_rows(people[2], competition) == []
    client.force_login(coordinator)
    page = client.get(shortlist_url(competition)).content.decode()
    assert "The final jury (set on the round" in page
    assert people[0].username in page and people[2].username not in page


def test_choose_shortlist_refused_before_the_screening_closes(coordinator):
    competition, ideas, _people = screened_round()
    competition = move_to(competition, "screening")
    with pytest.raises(NotAllowed):
        services.choose_shortlist(competition=competition, ideas=ideas[:2], by=coordinator)
    assert not ShortlistEntry.objects.exists()


@pytest.mark.parametrize("chosen", ["none", "unscreened", "too_many"])
def test_choose_shortlist_refuses_empty_unscreened_and_too_large(coordinator, chosen):
    competition, ideas, _people = screened_round(ideas=2)
    unscreened = make_idea(team=make_team(), competition=competition, status="submitted")
    choice = {"none": [], "unscreened": [unscreened], "too_many": [*ideas, unscreened]}[chosen]
    with pytest.raises(services.FieldErrors) as refused:
        services.choose_shortlist(competition=competition, ideas=choice, by=coordinator)
    message = refused.value.errors["ideas"]
    assert {
        "none": "Choose at least one idea",
        "unscreened": "Only ideas reviewed in the screening",
        "too_many": "at most the 2 screened ideas",
    }[chosen] in message
    assert not ShortlistEntry.objects.exists()
    assert not Assignment.objects.filter(stage=Stage.FINAL).exists()


def test_choose_shortlist_refused_once_the_final_jury_scored(coordinator):
    competition, ideas, people = screened_round()
    services.choose_shortlist(competition=competition, ideas=ideas[:2], by=coordinator)
    make_review(Assignment.objects.get(stage=Stage.FINAL, juror=people[0], idea=ideas[0]), 4)
    with pytest.raises(NotAllowed):
        services.choose_shortlist(competition=competition, ideas=ideas[2:], by=coordinator)
    assert sorted(ShortlistEntry.objects.values_list("idea_id", flat=True)) == [
        ideas[0].pk,
        ideas[1].pk,
    ]


# --- what a juror sees in each stage ------------------------------------------------------------


def test_a_juror_sees_only_final_assignments_in_the_final_stage(coordinator):
    competition, ideas, people = screened_round()
    juror = people[1]
    assert assigned_rows(juror, competition) == []  # screened, nothing final yet
    assert not permissions.can_view_review(juror, ideas[0])
    services.choose_shortlist(competition=competition, ideas=ideas[2:], by=coordinator)
    assert [row["idea"] for row in assigned_rows(juror, competition)] == ideas[2:]
    assert permissions.can_score(juror, ideas[2]) and not permissions.can_score(juror, ideas[0])
    # A screening review is locked in the final stage.
    screening = Assignment.objects.get(stage=Stage.SCREENING, juror=juror, idea=ideas[2])
    with pytest.raises(NotAllowed):
        services.save_review(
            assignment=screening,
            values={},
            comments={},
            overall_comment="",
            submit=False,
            by=juror,
        )


def test_a_juror_sees_screening_assignments_in_the_screening():
    competition, ideas, people = screened_round()
    competition = move_to(competition, "screening")
    assert len(assigned_rows(people[0], competition)) == len(ideas)


# --- the final ranking --------------------------------------------------------------------------


def final_round(coordinator, **fields):
    """Screened with idea 3 best; then the final jury scores idea 0 highest of the
    shortlist (0, 3)."""
    competition, ideas, people = screened_round(**fields)
    services.choose_shortlist(competition=competition, ideas=[ideas[0], ideas[3]], by=coordinator)
    for assignment in Assignment.objects.filter(stage=Stage.FINAL):
        make_review(assignment, 5 if assignment.idea_id == ideas[0].pk else 1)
    return competition, ideas, people


def test_final_ranking_counts_only_final_reviews(coordinator):
    competition, ideas, _people = final_round(coordinator)
    ranking = round_ranking(competition).ranking
    assert [row.idea for row in ranking.ideas] == [ideas[0].pk, ideas[3].pk]
    assert all(row.reviews == 3 for row in ranking.ideas)
    screening = round_ranking(competition, stage=Stage.SCREENING).ranking
    assert screening.ideas[0].idea == ideas[3].pk and len(screening.ideas) == 4


def test_final_ranking_includes_screening_reviews_when_the_round_says_so(coordinator):
    competition, ideas, _people = final_round(coordinator, final_ranking_includes_screening=True)
    ranking = round_ranking(competition).ranking
    # Only the shortlisted ideas, each with its three screening and three final reviews.
    assert sorted(row.idea for row in ranking.ideas) == sorted([ideas[0].pk, ideas[3].pk])
    assert all(row.reviews == 6 for row in ranking.ideas)


# --- the shortlist screen -----------------------------------------------------------------------


def shortlist_url(competition) -> str:
    return reverse("judging_admin:shortlist", args=[competition.pk])


def test_shortlist_screen_chooses_the_shortlist(client, coordinator):
    competition, ideas, _people = screened_round()
    client.force_login(coordinator)
    page = client.get(shortlist_url(competition)).content.decode()
    assert page.index("Idea 3") < page.index("Idea 0")  # screening ranking order
    response = client.post(
        shortlist_url(competition), {"ideas": [ideas[3].pk, ideas[2].pk]}, follow=True
    )
    assert "The shortlist of 2 ideas is chosen" in response.content.decode()
    assert sorted(ShortlistEntry.objects.values_list("idea_id", flat=True)) == [
        ideas[2].pk,
        ideas[3].pk,
    ]


def test_shortlist_screen_refuses_more_than_the_screened_ideas(client, coordinator):
    competition, ideas, _people = screened_round(ideas=2)
    extra = make_idea(team=make_team(), competition=competition, status="submitted")
    client.force_login(coordinator)
    response = client.post(shortlist_url(competition), {"ideas": [i.pk for i in [*ideas, extra]]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The shortlist can hold at most the 2 screened ideas." in page
    # What the coordinator ticked stays ticked.
    assert f'value="{ideas[0].pk}" id="shortlist-{ideas[0].pk}" checked' in page
    assert not ShortlistEntry.objects.exists()


def test_shortlist_screen_refuses_before_the_screening_closes(client, coordinator):
    competition, ideas, _people = screened_round()
    competition = move_to(competition, "screening")
    client.force_login(coordinator)
    page = client.get(shortlist_url(competition)).content.decode()
    assert "The shortlist is chosen after the screening closes" in page
    response = client.post(shortlist_url(competition), {"ideas": [ideas[0].pk]})
    assert response.status_code == 400
    assert "The shortlist is chosen after the screening closes" in response.content.decode()
    assert not ShortlistEntry.objects.exists()


def test_shortlist_screen_denied_to_a_juror(client):
    competition, ideas, people = screened_round()
    client.force_login(people[0])
    response = client.get(shortlist_url(competition))
    assert response.status_code in (302, 403)
    assert "Idea 3" not in response.content.decode()
    response = client.post(shortlist_url(competition), {"ideas": [ideas[0].pk]})
    assert response.status_code in (302, 403)
    assert not ShortlistEntry.objects.exists()


# --- the jury's meeting -------------------------------------------------------------------------


def meeting_url(competition) -> str:
    return reverse("judging:meeting", args=[competition.pk])


def decided_round(coordinator, **fields):
    """A two-stage round after judging: shortlist (0, 3) scored by the final jury, each
    juror's comments on it."""
    competition, ideas, people = final_round(coordinator, **fields)
    for n, assignment in enumerate(Assignment.objects.filter(stage=Stage.FINAL).order_by("pk")):
        assignment.review.overall_comment = f"Final comment {n}"
        assignment.review.save()
        score = assignment.review.scores.first()
        score.comment = f"Criterion note {n}"
        score.save()
    return move_to(competition, "deliberation"), ideas, people


def test_meeting_view_shows_the_shortlist_blind(client, coordinator):
    competition, ideas, people = decided_round(coordinator)
    # Another round's comments, which must not appear.
    _other, other_ideas, _other_people = screened_round(ideas=1)
    Review.objects.filter(assignment__idea=other_ideas[0]).update(
        overall_comment="Another round's secret"
    )
    for user in (coordinator, people[1]):
        client.force_login(user)
        page = client.get(meeting_url(competition)).content.decode()
        assert page.index("1. Idea 0") < page.index("2. Idea 3")
        assert "Idea 1" not in page and "Idea 2" not in page  # not shortlisted
        assert "Final comment 0" in page and "Criterion note 5" in page
        assert "Juror 1" in page and "Juror 3" in page
        assert "Rank interval (90 %)" in page
        for secret in ("Team 0", "Team 3", people[0].username, "Another round's secret"):
            assert secret not in page
        # Jurors read it; only the chair and the coordinator get the vote form.
        assert ("Record the votes" in page) is (user == coordinator)


def test_meeting_view_names_jurors_in_an_open_round(client, coordinator):
    competition, _ideas, people = decided_round(coordinator, blind_judging=False)
    client.force_login(coordinator)
    page = client.get(meeting_url(competition)).content.decode()
    assert people[0].username in page and "Juror 1" not in page


def test_meeting_view_of_a_one_stage_round_lists_the_ranked_ideas(client, coordinator):
    competition = make_round(phase="deliberation", criteria=2)
    juror = make_juror(competition)
    for n in range(3):
        idea = make_idea(
            team=make_team(), competition=competition, status="submitted", title=f"Plain {n}"
        )
        make_review(make_assignment(juror, idea), n + 1)
    client.force_login(juror)
    page = client.get(meeting_url(competition)).content.decode()
    assert page.index("1. Plain 2") < page.index("2. Plain 1") < page.index("3. Plain 0")


@pytest.mark.parametrize("who", ["outsider", "team_member", "other_juror", "before_close"])
def test_meeting_view_denied(client, coordinator, who):
    competition, ideas, people = decided_round(coordinator)
    if who == "before_close":
        competition = move_to(competition, "final")
        user = people[1]
    elif who == "team_member":
        user = ideas[0].team.memberships.get().user
    elif who == "other_juror":
        user = make_juror(make_round(phase="deliberation", criteria=1))
    else:
        user = UserFactory()
    client.force_login(user)
    response = client.get(meeting_url(competition))
    assert response.status_code == 404
    assert "Final comment" not in response.content.decode()


def test_chair_records_the_votes_and_the_decision_offers_them(client, coordinator):
    competition, ideas, people = decided_round(coordinator)
    client.force_login(people[0])  # the chair
    response = client.post(
        meeting_url(competition), {f"{ideas[0].pk}-votes": "3", f"{ideas[3].pk}-votes": "0"}
    )
    assert response.status_code == 302
    assert dict(MeetingVote.objects.values_list("idea_id", "votes")) == {
        ideas[0].pk: 3,
        ideas[3].pk: 0,
    }
    # Every juror reads the recorded votes on the meeting page.
    client.force_login(people[2])
    page = client.get(meeting_url(competition)).content.decode()
    assert "Votes at the meeting</dt><dd>3</dd>" in page
    client.force_login(coordinator)
    page = client.get(reverse("judging_admin:decision", args=[competition.pk])).content.decode()
    assert f'name="{ideas[0].pk}-votes" value="3"' in page


def test_meeting_votes_out_of_range_are_refused_on_the_field(client, coordinator):
    competition, ideas, people = decided_round(coordinator)
    client.force_login(people[0])
    response = client.post(meeting_url(competition), {f"{ideas[0].pk}-votes": "9"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "field-error" in page and 'value="9"' in page
    assert not MeetingVote.objects.exists()


def test_a_member_cannot_record_votes(client, coordinator):
    competition, ideas, people = decided_round(coordinator)
    client.force_login(people[1])
    response = client.post(meeting_url(competition), {f"{ideas[0].pk}-votes": "2"})
    assert response.status_code == 404
    assert not MeetingVote.objects.exists()
    with pytest.raises(NotAllowed):
        services.record_meeting_votes(competition=competition, votes={ideas[0].pk: 2}, by=people[1])


def test_meeting_votes_service_refuses_an_idea_of_another_round(coordinator):
    competition, _ideas, _people = decided_round(coordinator)
    stranger = make_idea(team=make_team(), competition=make_round(phase="deliberation"))
    with pytest.raises(services.FieldErrors) as refused:
        services.record_meeting_votes(
            competition=competition, votes={stranger.pk: 1}, by=coordinator
        )
    assert f"{stranger.pk}-votes" in refused.value.errors


def test_meeting_view_same_number_of_queries_with_1_and_10_shortlisted(
    client, coordinator, count_queries
):
    client.force_login(coordinator)
    counts = []
    for n in (1, 10):
        competition, ideas, _people = screened_round(ideas=n)
        services.choose_shortlist(competition=competition, ideas=ideas, by=coordinator)
        for assignment in Assignment.objects.filter(stage=Stage.FINAL, idea__in=ideas):
            make_review(assignment, 3, comment="A comment")
        competition = move_to(competition, "deliberation")
        url = meeting_url(competition)
        client.get(url)  # warm caches that are not the page's own
        page = client.get(url).content.decode()
        assert page.count('class="meeting-idea"') == n
        counts.append(count_queries(lambda url=url: client.get(url)))
    assert counts[0] == counts[1]


def test_dashboard_names_the_stage_and_counts_the_final_stage(client, coordinator):
    competition, ideas, people = screened_round()
    services.choose_shortlist(competition=competition, ideas=ideas[:2], by=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("judging_admin:dashboard", args=[competition.pk])).content.decode()
    assert "<dd>Final judging</dd>" in page
    assert '<th scope="col">Stage</th>' in page
    # Each juror's progress is the final stage's: two shortlisted ideas, none scored yet.
    assert page.count("0 of 2") == len(people)
    assert "fewer reviewers than the round asks for" not in page


def test_meeting_of_a_one_stage_round_brings_the_top_of_a_long_ranking(
    client, coordinator, monkeypatch
):
    monkeypatch.setattr("judging.meeting.ONE_STAGE_TOP", 2)
    competition = make_round(phase="deliberation", criteria=1)
    juror = make_juror(competition)
    for n in range(3):
        idea = make_idea(
            team=make_team(), competition=competition, status="submitted", title=f"Long {n}"
        )
        make_review(make_assignment(juror, idea), n + 1)
    client.force_login(coordinator)
    page = client.get(meeting_url(competition)).content.decode()
    assert "The top 2 ideas of the ranking" in page
    assert "Long 2" in page and "Long 1" in page and "Long 0" not in page


def test_meeting_says_which_reviews_the_final_ranking_counts(client, coordinator):
    competition, _ideas, _people = decided_round(coordinator)
    client.force_login(coordinator)
    page = client.get(meeting_url(competition)).content.decode()
    assert "The ranking counts only the final stage" in page


def test_reviews_export_names_each_reviews_stage_and_counts_the_final_ones(client, coordinator):
    import csv
    import io

    competition, ideas, _people = final_round(coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("judging_admin:export", args=[competition.pk, "reviews", "csv"]))
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    stage, counts = header.index("Stage"), header.index("Counts in the ranking")
    by_stage = {(row[stage], row[counts]) for row in rows}
    shortlisted = {row[0] for row in rows if row[stage] == "Final judging"}

    assert by_stage == {("Screening", "no"), ("Final judging", "yes")}
    assert shortlisted == {str(ideas[0].pk), str(ideas[3].pk)}


def test_reviews_export_counts_screening_reviews_of_the_shortlist_when_the_round_says_so(
    client, coordinator
):
    import csv
    import io

    competition, ideas, _people = final_round(coordinator, final_ranking_includes_screening=True)
    client.force_login(coordinator)
    response = client.get(reverse("judging_admin:export", args=[competition.pk, "reviews", "csv"]))
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    stage, counts = header.index("Stage"), header.index("Counts in the ranking")
    counted = {(row[0], row[stage]) for row in rows if row[counts] == "yes"}
    shortlist = {str(ideas[0].pk), str(ideas[3].pk)}

    assert counted == {(idea, s) for idea in shortlist for s in ("Screening", "Final judging")}


# --- e-mails of the stages ----------------------------------------------------------------------


def test_the_final_jury_is_told_once_that_the_final_stage_began(coordinator, mailoutbox):
    competition, ideas, people = screened_round(title="Spring round")
    JuryMember.objects.filter(user=people[2]).update(final_jury=False)

    services.choose_shortlist(competition=competition, ideas=ideas[1:], by=coordinator)
    services.choose_shortlist(competition=competition, ideas=ideas[2:], by=coordinator)

    told = {message.to[0]: message for message in mailoutbox}
    assert set(told) == {people[0].email, people[1].email}
    message = told[people[0].email]
    assert message.subject == "The final stage has begun: Spring round"
    assert "You have 3 shortlisted ideas to score." in message.body
    assert "Scores can be changed until judging ends:" in message.body
    assert "Team" not in message.body  # never a team's name, blind round or not


def test_a_screening_juror_is_reminded_before_the_screening_ends(mailoutbox):
    competition = two_stage_round("screening", title="Spring round", juror_reminder_days=7)
    juror = make_juror(competition)
    make_assignment(juror, make_idea(competition=competition, status=IdeaStatus.SUBMITTED))

    reminded = services.remind_jurors()

    assert reminded == 1
    body = mailoutbox[0].body
    assert "You have 1 idea of Spring round still to review." in body
    assert "The screening ends:" in body and "Judging ends:" not in body


def test_no_screening_reminder_while_the_screening_ends_later_than_it_comes(mailoutbox):
    competition = two_stage_round("screening", juror_reminder_days=2)  # it ends in five days
    juror = make_juror(competition)
    make_assignment(juror, make_idea(competition=competition, status=IdeaStatus.SUBMITTED))

    assert services.remind_jurors() == 0
    assert mailoutbox == []


# --- what the review of this session found --------------------------------------------------------


def test_a_juror_with_a_conflict_reads_no_review_of_that_idea_at_the_meeting(client, coordinator):
    competition, ideas, people = decided_round(coordinator)
    ConflictOfInterest.objects.create(
        idea=ideas[0], juror=people[2], active=True, source="declared", reason="Joined its team."
    )

    client.force_login(people[2])
    page = client.get(meeting_url(competition)).content.decode()
    client.force_login(coordinator)
    coordinators = client.get(meeting_url(competition)).content.decode()

    assert "You have a conflict of interest with this idea" in page
    assert "Final comment 0" not in page and "Final comment 2" not in page  # on idea 0
    assert "Final comment 1" in page and "Final comment 3" in page  # on idea 3
    assert "Final comment 0" in coordinators and "conflict of interest" not in coordinators


def test_a_jurors_packet_in_the_final_stage_holds_the_final_ideas_once(
    coordinator, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    from judging.models import DocumentKind

    competition, ideas, people = final_round(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.request_document(
            competition=competition, kind=DocumentKind.PACKET, by=people[1]
        )
    document.refresh_from_db()
    with document.file.open("rb") as stored:
        names = zipfile.ZipFile(io.BytesIO(stored.read())).namelist()

    assert document.status == "ready", document.message
    assert len([name for name in names if name.endswith("/idea.pdf")]) == 2  # ideas 0 and 3


def test_the_final_stage_takes_no_idea_off_the_shortlist(coordinator):
    competition, ideas, people = final_round(coordinator)

    with pytest.raises(NotAllowed, match="only shortlisted ideas"):
        services.add_assignment(idea=ideas[1], juror=people[1], by=coordinator)
    # A final-stage review of an idea taken off the shortlist later is not counted either.
    services_made = Assignment.objects.create(juror=people[1], idea=ideas[2], stage=Stage.FINAL)
    make_review(services_made, 5)

    ranked = [row.idea for row in round_ranking(competition).ranking.ideas]
    assert ranked == [ideas[0].pk, ideas[3].pk]


def test_the_report_of_a_two_stage_round_shows_the_screening_and_what_orders_it(coordinator):
    from judging.round_report import round_report

    competition, ideas, _people = decided_round(coordinator)

    report = round_report(competition)
    rows = {row.title: row for row in report.ranking}
    steps = [label for label, _moment in report.timeline]

    assert [rows["Idea 0"].rank, rows["Idea 3"].rank] == [1, 2]
    # Left off the shortlist: their screening figures, said to be so; no rank.
    assert rows["Idea 1"].rank is None and rows["Idea 1"].reviews == 3
    assert rows["Idea 1"].note == "screened, not shortlisted"
    assert rows["Idea 1"].mean == pytest.approx(2.0)  # every juror scored idea 1 two
    assert "Screening ended" in steps
    assert report.ordered_by.startswith("Ordered by the")
