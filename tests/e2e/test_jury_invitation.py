"""The round editor's jury row in a real browser: a person is chosen by a search, never from a
list of every account. (Jurors by search and by e-mail on the jury screen, and the invitation's
sign-up, are walked in ``test_round_run_alone``.)"""

import re

from django.contrib.auth.models import Group
from django.core import mail

from ideas.models import Profile
from judging.models import JuryMember
from tests.e2e.accounts import account, sign_in
from tests.factories import make_round


def wait_for_admin_message(page) -> None:
    # Wagtail fades its messages in; axe must read the colours once the fade is over.
    page.locator(".messages li").first.wait_for()
    page.wait_for_timeout(1000)


def link_in_mail(to: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    return re.search(r"https?://[^/\s]+(/en/jury/invitations/\S+)", message.body).group(1)


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
