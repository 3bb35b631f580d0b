"""Truth tables of who may take out or erase whose data."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from home.former_people import make_former_person
from privacy import permissions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def coordinator(**fields):
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name="Coordinators"))
    return user


def people(kind: str, person):
    return {
        "anonymous": lambda: AnonymousUser(),
        "themselves": lambda: person,
        "another person": lambda: UserFactory(),
        "a coordinator": lambda: coordinator(),
        "a superuser": lambda: UserFactory(is_superuser=True),
    }[kind]()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("themselves", True),
        ("another person", False),
        ("a coordinator", False),
        ("a superuser", False),
    ],
)
def test_can_download_data_truth_table(who, allowed):
    person = UserFactory()
    assert permissions.can_download_data(people(who, person), person) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("themselves", True),
        ("another person", False),
        ("a coordinator", True),
        ("a superuser", True),
    ],
)
def test_can_erase_person_truth_table(who, allowed):
    person = UserFactory()
    assert permissions.can_erase_person(people(who, person), person) is allowed


@pytest.mark.parametrize("who", ["themselves", "a coordinator"])
def test_can_erase_person_refuses_an_account_standing_for_an_erased_one(who):
    former = make_former_person()
    assert permissions.can_erase_person(people(who, former), former) is False


@pytest.mark.parametrize(
    ("person_is", "others", "last"),
    [
        ("a plain person", [], False),
        ("a coordinator", [], True),
        ("a coordinator", ["coordinator"], False),
        ("a coordinator", ["superuser"], False),
        ("a coordinator", ["inactive coordinator"], True),
        ("a coordinator", ["plain person"], True),
        ("a superuser", [], True),
        ("a superuser", ["coordinator"], False),
    ],
)
def test_is_last_coordinator_truth_table(person_is, others, last):
    person = {
        "a plain person": UserFactory,
        "a coordinator": coordinator,
        "a superuser": lambda: UserFactory(is_superuser=True),
    }[person_is]()
    for other in others:
        {
            "coordinator": coordinator,
            "superuser": lambda: UserFactory(is_superuser=True),
            "inactive coordinator": lambda: coordinator(is_active=False),
            "plain person": UserFactory,
        }[other]()
    assert permissions.is_last_coordinator(person) is last


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("another person", False),
        ("a coordinator", True),
        ("a superuser", True),
    ],
)
def test_can_erase_others_truth_table(who, allowed):
    assert permissions.can_erase_others(people(who, None)) is allowed
