"""A person's own data in a real browser: the profile offers "Download my data" (a ZIP) and
"Delete my account"; the deletion page says what happens, refuses a wrong password next to the
field, and erases the account; the coordinator's erasure page in the admin. Axe clean."""

import io
import json
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ideas.models import Profile
from tests.e2e.accounts import PASSWORD, account, sign_in
from tests.e2e.test_design import SHOTS
from tests.factories import make_idea, make_round, make_team


def test_a_person_downloads_their_data_and_deletes_their_account(page, axe_check):
    SHOTS.mkdir(parents=True, exist_ok=True)
    niina = account("niina@example.org")
    Profile.objects.create(user=niina, name="Niina Nurse")
    olli = account("olli@example.org")
    Profile.objects.create(user=olli, name="Olli Psychologist")
    make_idea(
        team=make_team(lead=niina, members=[olli], name="Clinic team"),
        competition=make_round(phase="open"),
        title="Psychologist within reach",
        created_by=niina,
    )
    make_idea(team=make_team(lead=niina, name="Solo team"), title="Loose draft")

    sign_in(page, niina.email)
    page.goto("/en/my/profile/")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["name"] == "Niina Nurse"
    assert [idea["title"] for idea in data["ideas"]] == ["Psychologist within reach"]

    with page.expect_navigation():
        page.get_by_role("link", name="Delete my account").click()
    main = page.locator("main")
    main.get_by_text("Clinic team passes to Olli Psychologist").wait_for()
    main.get_by_text("Solo team has no other member").wait_for()
    axe_check(page)
    page.screenshot(path=str(SHOTS / "delete-account-1280x800.png"), full_page=True)

    page.get_by_label("Your password").fill("not my password")
    with page.expect_navigation():
        page.get_by_role("button", name="Delete my account for good").click()
    page.get_by_text("This is not your password.").wait_for()
    assert page.get_by_label("Your password").get_attribute("aria-invalid") == "true"
    axe_check(page)
    assert get_user_model().objects.filter(pk=niina.pk).exists()

    page.get_by_label("Your password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Delete my account for good").click()
    page.get_by_text("Your account and personal data have been erased.").wait_for()
    axe_check(page)
    assert not get_user_model().objects.filter(pk=niina.pk).exists()


def test_a_coordinator_erases_a_person_on_request(page, axe_check):
    coordinator = account("coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    person = account("asker@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)

    sign_in(page, coordinator.email)
    page.goto("/admin/people/erase/")
    page.locator("#main").get_by_label("Name or e-mail address").fill("asker@")
    with page.expect_navigation():
        page.locator("#main").get_by_role("button", name="Search").click()
    page.wait_for_timeout(500)
    axe_check(page)
    page.screenshot(path=str(SHOTS / "admin-people-search-1280x800.png"), full_page=True)
    with page.expect_navigation():
        page.locator("tr", has_text="asker@example.org").get_by_role("link").click()
    page.get_by_text("What happens").wait_for()
    page.wait_for_timeout(500)
    axe_check(page)
    page.screenshot(path=str(SHOTS / "admin-erase-person-1280x800.png"), full_page=True)
    page.get_by_label("Reason").fill("Request by letter on 1 December")
    page.get_by_label("The person's e-mail address").fill("asker@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Erase this person").click()
    page.locator(".messages li").first.wait_for()
    page.wait_for_timeout(1000)
    axe_check(page)
    assert not get_user_model().objects.filter(pk=person.pk).exists()
