"""As whom a person reads a team's idea and files, for the audit trail: the truth table of
``ideas.permissions.reader_role``."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from ideas.permissions import reader_role
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


def person(kind: str, team):
    if kind == "anonymous":
        return AnonymousUser()
    user = UserFactory()
    if kind in ("member", "coordinator on the team"):
        team.memberships.create(user=user, role="member")
    if kind in ("coordinator", "coordinator on the team"):
        user.groups.add(Group.objects.get(name="Coordinators"))
    if kind == "superuser":
        user.is_superuser = True
        user.save()
    return user


@pytest.mark.parametrize(
    "kind, role",
    [
        ("member", "member"),
        ("coordinator", "coordinator"),
        ("coordinator on the team", "member"),
        ("superuser", "coordinator"),
        ("stranger", None),
        ("anonymous", None),
    ],
)
def test_reader_role(kind, role):
    team = make_team()
    assert reader_role(person(kind, team), team) == role
