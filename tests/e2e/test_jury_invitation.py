"""Jurors by e-mail in a real browser, with axe on every page: the coordinator adds one
existing juror by searching their name and one new juror by e-mail; the new juror follows the
invitation's link, creates an account and sees their jury page."""

import re

from django.contrib.auth.models import Group
from django.core import mail

from ideas.models import Profile
from judging.models import JuryMember
from tests.e2e.accounts import PASSWORD, account, sign_in
from tests.factories import make_round


def wait_for_admin_message(page) -> None:
    # Wagtail fades its messages in; axe must read the colours once the fade is over.
    page.locator(".messages li").first.wait_for()
    page.wait_for_timeout(1000)


def link_in_mail(to: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    return re.search(r"https?://[^/\s]+(/en/jury/invitations/\S+)", message.body).group(1)


def test_jury_invitation(page, browser, live_server, axe_check):
    competition = make_round(phase="open", title="Round of the clinics")
    coordinator = account("coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    anna = account("anna.virtanen@example.org")
    Profile.objects.create(user=anna, name="Anna Virtanen")
    account("bertil.lindqvist@example.org")

    sign_in(page, coordinator.email)
    page.goto(f"/admin/jury/{competition.pk}/")
    assert "Nobody is on the jury yet." in page.locator("main").inner_text()
    axe_check(page)

    # An existing juror, found by searching their name.
    page.get_by_role("button", name="Choose a person").click()
    search = page.get_by_label("Name or e-mail address")
    search.wait_for()
    assert "bertil.lindqvist@example.org" not in page.locator(".modal").inner_text()
    search.fill("Virtanen")
    choice = page.get_by_role("link", name="Anna Virtanen <anna.virtanen@example.org>")
    choice.wait_for()
    axe_check(page)
    choice.click()
    page.locator("[data-chooser-title]", has_text="Anna Virtanen").wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="Add the chosen person to the jury").click()
    assert "Anna Virtanen is on the jury now." in page.locator("body").inner_text()
    wait_for_admin_message(page)
    axe_check(page)

    # A new juror, by name and e-mail.
    page.locator("#id_invite-name").fill("Nina Newcomer")
    page.locator("#id_invite-email").fill("nina.newcomer@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Add or invite to the jury").click()
    assert (
        "The invitation is sent to nina.newcomer@example.org." in page.locator("body").inner_text()
    )
    assert (
        "nina.newcomer@example.org" in page.locator("table", has_text="Nina Newcomer").inner_text()
    )
    wait_for_admin_message(page)
    axe_check(page)

    # The new juror follows the link, creates the account and lands on their jury page.
    newcomer = browser.new_context(base_url=live_server.url).new_page()
    newcomer.set_default_timeout(15_000)
    newcomer.goto(link_in_mail("nina.newcomer@example.org"))
    assert "nina.newcomer@example.org" in newcomer.locator("main").inner_text()
    axe_check(newcomer)
    newcomer.locator("input[name=password1]").fill(PASSWORD)
    newcomer.locator("input[name=password2]").fill(PASSWORD)
    with newcomer.expect_navigation():
        newcomer.get_by_role("button", name="Create the account and join the jury").click()
    assert newcomer.url.endswith(f"/en/jury/{competition.pk}/")
    assert "Round of the clinics" in newcomer.locator("main").inner_text()
    axe_check(newcomer)
    newcomer.context.close()

    jurors = JuryMember.objects.filter(competition=competition).values_list(
        "user__email", flat=True
    )
    assert sorted(jurors) == ["anna.virtanen@example.org", "nina.newcomer@example.org"]


def axe_check_part(page, selector: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from tests.e2e.conftest import WCAG_21_AA

    results = Axe().run(
        page,
        context={"include": [[selector]]},
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}},
    )
    assert results.violations_count == 0, results.generate_report()


def test_round_editor_chooses_a_juror_by_search(page):
    """The round editor's jury row: a person found by a search, never a list of accounts."""
    competition = make_round(phase="open", title="Round of the clinics")
    coordinator = account("coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    anna = account("anna.virtanen@example.org")
    Profile.objects.create(user=anna, name="Anna Virtanen")

    sign_in(page, coordinator.email)
    page.goto(f"/admin/pages/{competition.pk}/edit/")
    page.get_by_role("button", name="Add juror").click()
    page.locator("#id_jury_members-0-user-chooser").get_by_role(
        "button", name="Choose a person"
    ).click()
    page.get_by_label("Name or e-mail address").fill("anna.virtanen@")
    page.get_by_role("link", name="Anna Virtanen <anna.virtanen@example.org>").click()
    page.locator("[data-chooser-title]", has_text="Anna Virtanen").wait_for()
    page.locator(".modal").wait_for(state="hidden")
    # The editor's own rich-text field (Wagtail's Draftail) has no accessible name of its
    # own; axe checks the jury panel, which is ours.
    axe_check_part(page, "#panel-child-content-jury-section")
    page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()

    assert JuryMember.objects.filter(competition=competition, user=anna).exists()
