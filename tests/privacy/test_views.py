"""'Delete my account' and the coordinator's "Erase this person": the statement, the
confirmation, refusals with what to do, and who may open them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from ideas.models import IdeaStatus, Membership, Profile
from tests.factories import UserFactory, make_idea, make_team

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
DELETE = "/en/my/account/delete/"


def coordinator():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Coordinators"))
    return user


def exists(user) -> bool:
    return get_user_model().objects.filter(pk=user.pk).exists()


def test_delete_account_page_states_what_happens_before_confirming(client):
    lead, member = UserFactory(), UserFactory(email="olli@example.org")
    Profile.objects.create(user=member, name="Olli Member")
    make_team(lead=lead, members=[member], name="Clinic team")
    alone = make_team(lead=lead, name="Solo team")
    make_idea(team=alone, title="Half-written draft")
    client.force_login(lead)

    page = client.get(DELETE).content.decode()

    assert "Clinic team passes to Olli Member, its longest-standing other member" in page
    assert "Solo team has no other member: it is removed with its unsubmitted ideas" in page
    assert "Half-written draft" in page
    assert 'type="password"' in page and 'name="secret"' in page
    assert exists(lead)


def test_delete_account_with_a_wrong_password_keeps_the_account_and_says_why(client):
    person = UserFactory()
    client.force_login(person)

    response = client.post(DELETE, {"secret": "not it"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "This is not your password." in page
    assert 'aria-invalid="true"' in page
    assert exists(person)
    assert client.get(reverse("ideas:profile")).status_code == 200


def test_delete_account_with_the_password_erases_and_signs_out(client):
    person = UserFactory()
    client.force_login(person)

    response = client.post(DELETE, {"secret": PASSWORD}, follow=True)

    assert "Your account and personal data have been erased." in response.content.decode()
    assert not exists(person)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("ideas:profile"))["Location"].startswith("/en/accounts/login/")


def test_an_account_without_a_password_confirms_with_its_email(client):
    person = UserFactory(email="sso@example.org")
    person.set_unusable_password()
    person.save()
    client.force_login(person)

    assert 'type="email"' in client.get(DELETE).content.decode()
    assert client.post(DELETE, {"secret": "other@example.org"}).status_code == 400
    assert exists(person)
    client.post(DELETE, {"secret": "SSO@example.org"})
    assert not exists(person)


def test_delete_account_refused_says_what_to_do_and_offers_no_button(client):
    lone = UserFactory()
    make_idea(team=make_team(lead=lone, name="Team Solo"), status=IdeaStatus.SUBMITTED)
    client.force_login(lone)

    page = client.get(DELETE).content.decode()
    response = client.post(DELETE, {"secret": PASSWORD})

    assert "Invite a colleague to the team and make them its lead first" in page
    assert "Delete my account for good" not in page
    assert response.status_code == 400
    assert "Team Solo has submitted ideas and no other member" in response.content.decode()
    assert exists(lone)


def test_delete_account_is_only_for_a_signed_in_person(client):
    response = client.post(DELETE, {"secret": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_delete_account_page_query_count_is_the_same_for_1_and_10_teams(client, count_queries):
    person = UserFactory()
    make_idea(team=make_team(lead=person))
    client.force_login(person)
    client.get(DELETE)
    with_one = count_queries(lambda: client.get(DELETE))
    for number in range(9):
        if number % 3 == 0:
            make_team(lead=person, members=[UserFactory()])
        elif number % 3 == 1:
            make_idea(team=make_team(lead=person))
        else:
            make_team(members=[person])

    with_ten = count_queries(lambda: client.get(DELETE))

    assert with_one == with_ten
    assert Membership.objects.filter(user=person).count() == 10


def test_profile_page_offers_the_download_and_the_deletion(client):
    client.force_login(UserFactory())
    page = client.get(reverse("ideas:profile")).content.decode()
    assert f'href="{reverse("privacy:download")}"' in page
    assert f'href="{DELETE}"' in page


# --- the coordinator's erasure on request -----------------------------------------------------


def erase_url(person) -> str:
    return reverse("erase_person:confirm", args=[person.pk])


def test_coordinator_erases_a_person_on_request_and_it_is_logged(client):
    by, person = coordinator(), UserFactory(email="niina@example.org")
    make_team(lead=person, members=[UserFactory()], name="Clinic team")
    their_browser = Client()
    their_browser.force_login(person)
    client.force_login(by)

    page = client.get(erase_url(person)).content.decode()
    refused = client.post(erase_url(person), {"reason": "Letter", "email": "wrong@example.org"})
    response = client.post(
        erase_url(person), {"reason": "Request by letter 1.12.", "email": "niina@example.org"}
    )

    assert "Clinic team passes to" in page
    assert refused.status_code == 400
    assert "This is not the address of the account being erased." in refused.content.decode()
    assert response.status_code == 302
    assert not exists(person)
    entry = ModelLogEntry.objects.get(action="ideatori.person_erased")
    assert entry.user_id == by.pk and entry.data["reason"] == "Request by letter 1.12."
    # Their session, elsewhere, belongs to nobody now.
    assert their_browser.get(reverse("ideas:profile"))["Location"].startswith("/en/accounts/login/")


def test_the_list_of_users_offers_a_coordinator_the_erasure(client):
    by, person = coordinator(), UserFactory()
    by.is_superuser = True
    by.save()
    client.force_login(by)
    page = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert erase_url(person) in page
    assert erase_url(by) not in page


def test_coordinator_erasure_refused_says_what_to_do_and_changes_nothing(client):
    by, lone = coordinator(), UserFactory(email="lone@example.org")
    make_idea(team=make_team(lead=lone, name="Team Solo"), status=IdeaStatus.SUBMITTED)
    client.force_login(by)

    page = client.get(erase_url(lone)).content.decode()
    response = client.post(erase_url(lone), {"reason": "Asked", "email": "lone@example.org"})

    assert "Team Solo has submitted ideas and no other member" in page
    assert "Invite a colleague to the team and make them its lead first" in page
    assert response.status_code == 400
    assert exists(lone)
    assert not ModelLogEntry.objects.filter(action="ideatori.person_erased").exists()


@pytest.mark.parametrize("who", ["a plain person", "themselves"])
def test_erasure_in_the_admin_is_denied(client, who):
    person = coordinator()
    coordinator()
    actor = person if who == "themselves" else UserFactory(is_staff=True)
    client.force_login(actor)

    get = client.get(erase_url(person))
    post = client.post(erase_url(person), {"reason": "x", "email": person.email})

    assert get.status_code in (302, 403)
    assert post.status_code in (302, 403)
    assert "Erase a person" not in get.content.decode()
    assert exists(person)


PEOPLE = "/admin/people/erase/"


def test_coordinator_finds_a_person_by_name_or_address_never_a_list_of_all(client):
    by = coordinator()
    niina = UserFactory(email="niina@example.org")
    Profile.objects.create(user=niina, name="Niina Nurse")
    UserFactory(email="olli@example.org")
    client.force_login(by)

    empty = client.get(PEOPLE).content.decode()
    by_name = client.get(PEOPLE, {"q": "nurse"}).content.decode()
    by_address = client.get(PEOPLE, {"q": "olli@"}).content.decode()

    assert "niina@example.org" not in empty and "olli@example.org" not in empty
    assert erase_url(niina) in by_name and "olli@example.org" not in by_name
    assert "olli@example.org" in by_address and "niina@example.org" not in by_address


def test_people_search_is_denied_to_others(client):
    UserFactory(email="niina@example.org")
    client.force_login(UserFactory(is_staff=True))
    response = client.get(PEOPLE, {"q": "niina"})
    assert response.status_code in (302, 403)
    assert "niina@example.org" not in response.content.decode()


def test_people_search_query_count_is_the_same_for_1_and_10_people(client, count_queries):
    client.force_login(coordinator())
    UserFactory(email="clinic-0@example.org")
    client.get(PEOPLE, {"q": "clinic"})
    with_one = count_queries(lambda: client.get(PEOPLE, {"q": "clinic"}))
    for number in range(1, 10):
        Profile.objects.create(user=UserFactory(email=f"clinic-{number}@example.org"), name="N")

    with_ten = count_queries(lambda: client.get(PEOPLE, {"q": "clinic"}))

    assert with_one == with_ten
    assert client.get(PEOPLE, {"q": "clinic"}).content.decode().count("/admin/people/erase/") >= 10
