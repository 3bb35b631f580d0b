"""Truth tables of the judging predicates: every role against every phase of the round."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ideas import permissions as ideas_permissions
from ideas.models import IdeaStatus
from judging import permissions
from judging.models import ConflictOfInterest
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    make_team,
    make_unit,
)

pytestmark = pytest.mark.django_db

PHASES = ["open", "judging", "deliberation", "results"]
ROLES = [
    "assigned",
    "unassigned",
    "conflicted",
    "chair",
    "coordinator",
    "team_member",
    "anonymous",
]


def user_in_role(role, idea, coordinator):
    competition = idea.competition
    if role == "anonymous":
        return AnonymousUser()
    if role == "coordinator":
        return coordinator
    if role == "team_member":
        return idea.team.memberships.get().user
    juror = make_juror(competition, role="chair" if role == "chair" else "member")
    if role in ("assigned", "chair", "conflicted"):
        make_review(make_assignment(juror, idea))
    if role == "conflicted":
        ConflictOfInterest.objects.create(
            idea=idea, juror=juror, active=True, source="declared", reason="My sister's team."
        )
    return juror


@pytest.fixture
def case(coordinator):
    def build(role, phase, **round_fields):
        competition = make_round(phase=phase, **round_fields)
        idea = make_idea(team=make_team(), competition=competition, status=IdeaStatus.SUBMITTED)
        return user_in_role(role, idea, coordinator), idea

    return build


def table(allowed: dict[str, set[str]]):
    """Parametrise over every role × phase, expecting True only where ``allowed`` says."""
    return pytest.mark.parametrize(
        ("role", "phase", "expected"),
        [(r, p, p in allowed.get(r, set())) for r in ROLES for p in PHASES],
    )


AFTER_CLOSE = {"judging", "deliberation", "results"}


@table({"assigned": AFTER_CLOSE, "chair": AFTER_CLOSE})
def test_can_view_review(case, role, phase, expected):
    user, idea = case(role, phase)
    assert permissions.can_view_review(user, idea) is expected


@table({"assigned": {"judging"}, "chair": {"judging"}})
def test_can_score(case, role, phase, expected):
    user, idea = case(role, phase)
    assert permissions.can_score(user, idea) is expected


@table({"assigned": {"judging"}, "unassigned": {"judging"}, "chair": {"judging"}})
def test_can_declare_conflict(case, role, phase, expected):
    user, idea = case(role, phase)
    assert permissions.can_declare_conflict(user, idea) is expected


@table({"assigned": AFTER_CLOSE, "chair": AFTER_CLOSE})
def test_can_see_other_scores_when_the_round_allows_it(case, role, phase, expected):
    user, idea = case(role, phase, jurors_see_other_scores=True)
    assert permissions.can_see_other_scores(user, idea) is expected


@pytest.mark.parametrize("role", ROLES)
def test_nobody_sees_other_scores_when_the_round_does_not_allow_it(case, role):
    user, idea = case(role, "judging", jurors_see_other_scores=False)
    assert permissions.can_see_other_scores(user, idea) is False


def test_other_scores_only_after_submitting_ones_own(case):
    user, idea = case("assigned", "judging", jurors_see_other_scores=True)
    review = user.assignments.get().review
    review.status = "draft"
    review.save()
    assert permissions.can_see_other_scores(user, idea) is False


@table({"coordinator": set(PHASES)})
def test_can_manage_judging(case, role, phase, expected):
    user, _idea = case(role, phase)
    assert permissions.can_manage_judging(user) is expected


@table({"coordinator": {"deliberation"}})
def test_can_decide(case, role, phase, expected):
    user, idea = case(role, phase)
    assert ideas_permissions.can_decide(user, idea.competition) is expected


@pytest.mark.parametrize(
    ("relation", "expected"),
    [("member of the team", True), ("same unit", True), ("other unit", False), ("none", False)],
)
def test_automatic_conflict(relation, expected):
    competition = make_round(phase="judging")
    team = make_team()
    idea = make_idea(team=team, competition=competition, status=IdeaStatus.SUBMITTED)
    unit = team.service_units.get()
    juror = UserFactory()
    if relation == "member of the team":
        team.memberships.create(user=juror, role="member")
        make_juror(competition, juror)
    elif relation == "same unit":
        make_juror(competition, juror, unit=unit)
    elif relation == "other unit":
        make_juror(competition, juror, unit=make_unit())
    else:
        make_juror(competition, juror)
    assert permissions.is_conflicted(juror, idea) is expected


def test_lifted_automatic_conflict_and_declared_conflict_override_the_rule():
    competition = make_round(phase="judging")
    team = make_team()
    idea = make_idea(team=team, competition=competition, status=IdeaStatus.SUBMITTED)
    same_unit = make_juror(competition, unit=team.service_units.get())
    stranger = make_juror(competition)
    ConflictOfInterest.objects.create(
        idea=idea, juror=same_unit, active=False, source="coordinator", reason="Other site."
    )
    ConflictOfInterest.objects.create(
        idea=idea, juror=stranger, active=True, source="declared", reason="Former colleague."
    )
    assert permissions.is_conflicted(same_unit, idea) is False
    assert permissions.is_conflicted(stranger, idea) is True
