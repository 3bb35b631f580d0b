"""Truth tables of every predicate in ideas/permissions.py.

Each table lists the cases that are allowed; every other case of the full product of roles,
statuses and times must be refused.
"""

from datetime import timedelta
from itertools import product

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from ideas import permissions, services
from ideas.models import Idea, IdeaStatus
from tests.factories import UserFactory, make_idea, make_round, make_team

pytestmark = pytest.mark.django_db

ROLES = ["lead", "member", "other_team", "invitee", "juror", "outsider", "coordinator", "anonymous"]
STATUSES = [IdeaStatus.DRAFT, IdeaStatus.SUBMITTED, IdeaStatus.WITHDRAWN]
TIMES = ["open", "after_deadline"]
TEAM = ["lead", "member"]

ALLOWED = {
    "can_view_idea": {(r, s, t) for r in [*TEAM, "coordinator"] for s in STATUSES for t in TIMES},
    "can_edit_idea": {
        (r, s, "open") for r in TEAM for s in (IdeaStatus.DRAFT, IdeaStatus.SUBMITTED)
    },
    "can_submit_idea": {(r, IdeaStatus.DRAFT, "open") for r in TEAM},
    "can_withdraw_idea": {
        (r, s, "open") for r in TEAM for s in (IdeaStatus.DRAFT, IdeaStatus.SUBMITTED)
    },
    "can_reopen_idea": {(r, IdeaStatus.WITHDRAWN, "open") for r in TEAM},
}


@pytest.fixture
def world():
    lead, member, other, invitee, juror, outsider, coordinator = (UserFactory() for _ in range(7))
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    # Jurors gain rights over ideas only through judging (issue #4); here they are nobody special.
    juror.groups.add(Group.objects.get_or_create(name="Jurors")[0])
    team = make_team(lead=lead, members=[member])
    make_team(members=[other])
    services.invite_member(team=team, email=invitee.email, by=lead)
    competition = make_round(phase="open")
    users = {
        "lead": lead,
        "member": member,
        "other_team": other,
        "invitee": invitee,
        "juror": juror,
        "outsider": outsider,
        "coordinator": coordinator,
        "anonymous": AnonymousUser(),
    }
    times = {
        "open": competition.closes_at - timedelta(seconds=1),
        "after_deadline": competition.closes_at + timedelta(seconds=1),
    }
    return users, team, competition, times


@pytest.mark.parametrize("predicate", sorted(ALLOWED))
def test_idea_predicate_truth_table(world, predicate):
    users, team, competition, times = world
    check = getattr(permissions, predicate)
    ideas = {
        status: make_idea(team=team, competition=competition, status=status) for status in STATUSES
    }
    answers = {}
    for role, status, time in product(ROLES, STATUSES, TIMES):
        arguments = [users[role], ideas[status]]
        if predicate != "can_view_idea":
            arguments.append(times[time])
        answers[(role, status, time)] = check(*arguments)

    assert {case for case, allowed in answers.items() if allowed} == ALLOWED[predicate]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("lead", True),
        ("member", False),
        ("other_team", False),
        ("invitee", False),
        ("outsider", False),
        ("coordinator", False),
        ("anonymous", False),
    ],
)
def test_can_manage_team_truth_table(world, role, allowed):
    users, team, _competition, _times = world
    assert permissions.can_manage_team(users[role], team) is allowed


@pytest.mark.parametrize(
    ("role", "time", "allowed"),
    [(r, t, r in TEAM and t == "open") for r, t in product(ROLES, ["upcoming", *TIMES])],
)
def test_can_start_idea_truth_table(world, role, time, allowed):
    users, team, competition, times = world
    times["upcoming"] = competition.opens_at - timedelta(seconds=1)
    assert permissions.can_start_idea(users[role], team, competition, times[time]) is allowed


@pytest.mark.parametrize(
    ("role", "sees_own", "sees_other"),
    [
        ("lead", True, False),
        ("member", True, False),
        ("other_team", False, True),
        ("invitee", False, False),
        ("outsider", False, False),
        ("coordinator", True, True),
        ("anonymous", False, False),
    ],
)
def test_visible_to_lists_by_the_same_rule_as_can_view(world, role, sees_own, sees_other):
    users, team, competition, _times = world
    own = make_idea(team=team, competition=competition, title="Our idea")
    foreign_team = users["other_team"].memberships.get().team
    foreign = make_idea(team=foreign_team, competition=competition, title="Their idea")

    visible = set(Idea.objects.visible_to(users[role]))

    assert (own in visible, foreign in visible) == (sees_own, sees_other)
    for idea in (own, foreign):
        assert (idea in visible) == permissions.can_view_idea(users[role], idea)


RESULT_ROLES = ["lead", "member", "juror", "outsider", "coordinator", "anonymous"]


@pytest.mark.parametrize(
    ("published", "time", "allowed"),
    [
        ("never", "before", False),
        ("never", "after", False),
        ("at_results", "before", False),
        ("at_results", "after", True),
    ],
)
def test_results_published_truth_table(published, time, allowed):
    competition = make_round(phase="deliberation")
    if published == "at_results":
        competition.results_published_at = competition.results_at
    moment = competition.results_at + timedelta(seconds=1 if time == "after" else -1)
    assert permissions.results_published(competition, moment) is allowed


@pytest.mark.parametrize(
    ("role", "time", "state", "allowed"),
    [
        (role, time, state, (role, time, state) == ("coordinator", "deliberation", "decided"))
        for role, time, state in product(
            RESULT_ROLES, ["judging", "deliberation"], ["undecided", "decided", "published"]
        )
    ],
)
def test_can_publish_results_truth_table(world, role, time, state, allowed):
    users, team, _competition, _times = world
    competition = make_round(phase="deliberation")
    status = IdeaStatus.SUBMITTED if state == "undecided" else IdeaStatus.AWARDED
    make_idea(team=team, competition=competition, status=status)
    make_idea(team=team, competition=competition, status=IdeaStatus.NOT_AWARDED)
    if state == "published":
        competition.results_published_at = competition.judging_closes_at
    moments = {
        "judging": competition.judging_closes_at - timedelta(seconds=1),
        "deliberation": competition.judging_closes_at + timedelta(seconds=1),
    }
    assert permissions.can_publish_results(users[role], competition, moments[time]) is allowed


@pytest.mark.parametrize(
    ("role", "status", "time", "allowed"),
    [
        (role, status, time, (role, status, time) == ("coordinator", "awarded", "after"))
        for role, status, time in product(
            RESULT_ROLES,
            [IdeaStatus.AWARDED, IdeaStatus.NOT_AWARDED, IdeaStatus.SUBMITTED],
            ["before", "after"],
        )
    ],
)
def test_can_create_innovation_page_truth_table(world, role, status, time, allowed):
    users, team, _competition, _times = world
    competition = make_round(phase="results")
    idea = make_idea(team=team, competition=competition, status=status)
    moment = competition.results_published_at + timedelta(seconds=1 if time == "after" else -1)
    assert permissions.can_create_innovation_page(users[role], idea, moment) is allowed


@pytest.mark.parametrize(
    ("role", "time", "allowed"),
    [
        (role, time, (role, time) == ("coordinator", "deliberation"))
        for role, time in product(RESULT_ROLES, ["judging", "deliberation", "results"])
    ],
)
def test_can_decide_idea_truth_table(world, role, time, allowed):
    users, team, _competition, _times = world
    competition = make_round(phase="results")
    idea = make_idea(team=team, competition=competition, status=IdeaStatus.SUBMITTED)
    moments = {
        "judging": competition.judging_closes_at - timedelta(seconds=1),
        "deliberation": competition.judging_closes_at + timedelta(seconds=1),
        "results": competition.results_published_at + timedelta(seconds=1),
    }
    assert permissions.can_decide_idea(users[role], idea, moments[time]) is allowed


WITHHELD = {(True, "encrypted"), (True, "unreadable"), (True, "too_large")}


@pytest.mark.parametrize(
    ("blind", "blind_copy"),
    list(product([True, False], ["", "made", "encrypted", "unreadable", "too_large"])),
)
def test_withheld_from_jurors_only_in_a_blind_round_and_only_a_file_that_could_not_be_cleaned(
    blind, blind_copy
):
    from ideas.models import Attachment

    idea = make_idea(competition=make_round(blind_judging=blind))
    attachment = Attachment(idea=idea, blind_copy=blind_copy)
    assert permissions.withheld_from_jurors(attachment) is ((blind, blind_copy) in WITHHELD)
