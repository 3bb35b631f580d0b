"""The judging services: what each writes, what each refuses, and what it logs or sends."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from wagtail.models import ModelLogEntry, PageLogEntry

from ideas.models import IdeaStatus
from ideas.services import NotAllowed
from judging import services
from judging.models import (
    Assignment,
    Award,
    ConflictOfInterest,
    JurorNotice,
    JuryMember,
    Review,
    Score,
    ScoreChange,
)
from judging.scoreboard import round_ranking
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    make_team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def judging_round():
    competition = make_round(phase="judging", criteria=2)
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    juror = make_juror(competition)
    return competition, idea, juror, make_assignment(juror, idea)


def criteria_ids(competition):
    return list(competition.criteria.order_by("sort_order").values_list("pk", flat=True))


# --- reviews ----------------------------------------------------------------------------------


def test_draft_may_be_partial_and_submit_needs_every_score(judging_round):
    competition, _idea, juror, assignment = judging_round
    first, second = criteria_ids(competition)

    review = services.save_review(
        assignment=assignment,
        values={first: 4, second: None},
        comments={first: "Clear pathway."},
        overall_comment="Promising.",
        submit=False,
        by=juror,
    )
    assert review.status == "draft"
    with pytest.raises(services.FieldErrors) as refused:
        services.save_review(
            assignment=assignment,
            values={first: 4, second: None},
            comments={},
            overall_comment="",
            submit=True,
            by=juror,
        )
    assert list(refused.value.errors) == [f"score_{second}"]
    review.refresh_from_db()
    assert review.status == "draft"
    assert review.overall_comment == "Promising."


def test_score_outside_the_scale_is_refused_and_nothing_written(judging_round):
    competition, _idea, juror, assignment = judging_round
    first, second = criteria_ids(competition)

    with pytest.raises(services.FieldErrors) as refused:
        services.save_review(
            assignment=assignment,
            values={first: 9, second: 3},
            comments={},
            overall_comment="",
            submit=False,
            by=juror,
        )
    assert refused.value.errors == {f"score_{first}": "Choose a score from 1 to 5."}
    assert not Score.objects.exists()


def test_score_after_judging_closes_is_refused(judging_round):
    competition, _idea, juror, assignment = judging_round
    first, second = criteria_ids(competition)
    later = competition.judging_closes_at + timedelta(seconds=1)

    with pytest.raises(NotAllowed):
        services.save_review(
            assignment=assignment,
            values={first: 3, second: 3},
            comments={},
            overall_comment="",
            submit=True,
            by=juror,
            now=later,
        )
    assert not Review.objects.exists()


def test_changes_to_a_submitted_review_are_kept_in_the_audit_trail(judging_round):
    competition, _idea, juror, assignment = judging_round
    first, second = criteria_ids(competition)
    save = dict(assignment=assignment, overall_comment="", by=juror)
    services.save_review(values={first: 2, second: 3}, comments={}, submit=True, **save)
    assert not ScoreChange.objects.exists()

    services.save_review(
        values={first: 4, second: 3}, comments={first: "Read again."}, submit=False, **save
    )

    (change,) = ScoreChange.objects.all()
    assert (change.old_value, change.new_value, change.changed_by) == (2, 4, juror)
    assert (change.old_comment, change.new_comment) == ("", "Read again.")
    assert Review.objects.get().status == "submitted"


# --- conflicts --------------------------------------------------------------------------------


def test_declared_conflict_after_scoring_withdraws_the_review_from_the_ranking(judging_round):
    competition, idea, juror, assignment = judging_round
    other = make_juror(competition)
    make_review(assignment, 5)
    make_review(make_assignment(other, idea), 1)
    assert round_ranking(competition).ranking.ideas[0].reviews == 2

    services.declare_conflict(idea=idea, by=juror, reason="My former team.")

    (row,) = round_ranking(competition).ranking.ideas
    assert row.reviews == 1
    assert row.mean == 1
    entry = ModelLogEntry.objects.get(action="ideatori.conflict_set")
    assert entry.data["reason"] == "My former team."
    assert entry.user_id == juror.pk


def test_conflict_needs_a_reason_and_lifting_is_logged(judging_round, coordinator):
    competition, idea, juror, _assignment = judging_round
    with pytest.raises(services.FieldErrors):
        services.declare_conflict(idea=idea, by=juror, reason="  ")
    assert not ConflictOfInterest.objects.exists()

    services.set_conflict(
        idea=idea,
        juror=juror,
        active=True,
        reason="Neighbour",
        source="coordinator",
        by=coordinator,
    )
    services.set_conflict(
        idea=idea, juror=juror, active=False, reason="Misread", source="coordinator", by=coordinator
    )

    assert ConflictOfInterest.objects.get().active is False
    assert list(ModelLogEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "ideatori.conflict_set",
        "ideatori.conflict_lifted",
    ]


# --- assignment and opening judging -----------------------------------------------------------


def test_generated_assignment_skips_the_automatic_conflicts():
    competition = make_round(phase="judging", reviews_per_idea=2)
    team = make_team()
    ideas = [
        make_idea(team=team, competition=competition, status=IdeaStatus.SUBMITTED) for _ in range(3)
    ]
    colleague = make_juror(competition, unit=team.service_units.get())
    others = [make_juror(competition) for _ in range(3)]

    plan = services.generate_assignments(competition=competition, by=None)

    assert not Assignment.objects.filter(juror=colleague).exists()
    for idea in ideas:
        assert set(idea.assignments.values_list("juror_id", flat=True)) <= {o.pk for o in others}
        assert idea.assignments.count() == 2
    assert plan.shortfall == {}


def test_regenerating_is_refused_once_a_score_is_entered(judging_round):
    competition, _idea, _juror, assignment = judging_round
    make_review(assignment, 3, status="draft")
    with pytest.raises(NotAllowed):
        services.generate_assignments(competition=competition, by=None)
    assert Assignment.objects.get() == assignment


def test_single_assignments_refuse_conflicts_and_submitted_reviews(judging_round, coordinator):
    competition, idea, juror, assignment = judging_round
    colleague = make_juror(competition, unit=idea.team.service_units.get())
    with pytest.raises(NotAllowed):
        services.add_assignment(idea=idea, juror=colleague, by=coordinator)
    make_review(assignment, 3)
    with pytest.raises(NotAllowed):
        services.remove_assignment(assignment=assignment, by=coordinator)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_open_judging_assigns_once_and_tells_each_juror_once(django_capture_on_commit_callbacks):
    competition = make_round(phase="judging")
    make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    jurors = [make_juror(competition) for _ in range(2)]

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("open_judging", stdout=io.StringIO())

    assert Assignment.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(j.email for j in jurors)
    assert "You have 1 idea to review" in mail.outbox[0].body
    assert JurorNotice.objects.filter(kind=JurorNotice.JUDGING_OPEN).count() == 2


def test_publishing_the_jury_joins_the_group_and_mails_each_juror_once(
    coordinator, django_capture_on_commit_callbacks
):
    competition = make_round(phase="open")
    juror = UserFactory()
    competition.jury_members = [JuryMember(user=juror, role="chair")]
    with django_capture_on_commit_callbacks(execute=True):
        publish_revision(competition, coordinator)
        publish_revision(competition, coordinator)

    assert juror.groups.filter(name=services.JURORS_GROUP).exists()
    assert [m.to for m in mail.outbox] == [[juror.email]]
    assert competition.title in mail.outbox[0].subject

    competition.jury_members = []
    publish_revision(competition, coordinator)
    assert not Group.objects.get(name=services.JURORS_GROUP).user_set.filter(pk=juror.pk).exists()


def publish_revision(page, user):
    page.save_revision(user=user).publish(user=user)


# --- the decision -----------------------------------------------------------------------------


@pytest.fixture
def deliberation():
    competition = make_round(phase="deliberation", criteria=2)
    ideas = [make_idea(competition=competition, status=IdeaStatus.SUBMITTED) for _ in range(3)]
    return competition, ideas


def test_decision_sets_statuses_through_the_status_function_and_is_logged(
    deliberation, coordinator
):
    competition, (winner, runner_up, other) = deliberation
    first = criteria_ids(competition)[0]
    services.record_decision(
        competition=competition,
        entries=[
            services.DecisionEntry(
                winner.pk, "winner", "Fast help for parents.", [first], "Well done."
            ),
            services.DecisionEntry(runner_up.pk, "runner_up", "Reaches many.", [first]),
        ],
        by=coordinator,
    )

    statuses = dict(competition.ideas.values_list("pk", "status"))
    assert statuses == {
        winner.pk: IdeaStatus.AWARDED,
        runner_up.pk: IdeaStatus.AWARDED,
        other.pk: IdeaStatus.NOT_AWARDED,
    }
    assert Award.objects.get(idea=winner).criteria.get().pk == first
    assert Award.objects.get(idea=other).level == ""
    assert winner.revisions.filter(note=IdeaStatus.AWARDED).exists()
    entry = PageLogEntry.objects.get(action="ideatori.decision_recorded")
    assert entry.data["awards"] == {str(winner.pk): "winner", str(runner_up.pk): "runner_up"}


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"rationale": ""}, "rationale", "Write the jury's rationale"),
        ({"criteria": []}, "criteria", "Name the criteria"),
    ],
)
def test_award_without_rationale_or_criteria_is_refused(
    deliberation, coordinator, entry, field, message
):
    competition, (idea, *_rest) = deliberation
    values = {"rationale": "Good.", "criteria": criteria_ids(competition)} | entry
    with pytest.raises(services.FieldErrors) as refused:
        services.record_decision(
            competition=competition,
            entries=[services.DecisionEntry(idea.pk, "winner", **values)],
            by=coordinator,
        )
    assert message in refused.value.errors[f"{idea.pk}-{field}"]
    assert not Award.objects.exists()
    assert set(competition.ideas.values_list("status", flat=True)) == {IdeaStatus.SUBMITTED}


def test_award_for_an_idea_that_was_not_submitted_is_refused(deliberation, coordinator):
    competition, _ideas = deliberation
    draft = make_idea(competition=competition, status=IdeaStatus.DRAFT)
    with pytest.raises(services.FieldErrors) as refused:
        services.record_decision(
            competition=competition,
            entries=[
                services.DecisionEntry(draft.pk, "winner", "Good.", criteria_ids(competition))
            ],
            by=coordinator,
        )
    assert "only to a submitted idea" in refused.value.errors[f"{draft.pk}-level"]
    draft.refresh_from_db()
    assert draft.status == IdeaStatus.DRAFT


def test_decision_before_judging_closes_is_refused(coordinator):
    competition = make_round(phase="judging")
    with pytest.raises(NotAllowed):
        services.record_decision(competition=competition, entries=[], by=coordinator)
