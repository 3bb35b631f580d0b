"""One truth per round, in a real browser with axe on every page: the coordinator moves the
open round's deadline into the past on its English page; with no translation sync the Finnish
and Swedish round pages and front pages show the new phase and no submit button. Then the
coordinator publishes the finished round's results on the English side, and the Finnish and
Swedish round pages show its winners."""

import io
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from ideas.models import CompetitionPage
from tests.e2e.accounts import account, sign_in

FINNISH_ROUND, SWEDISH_ROUND = "/fi/kilpailut/2026/", "/sv/tavlingar/2026/"


def wait_for_admin_message(page) -> None:
    # Wagtail fades its messages in; axe must read the colours once the fade is over.
    page.locator(".messages li").first.wait_for()
    page.wait_for_timeout(1000)


def test_round_has_one_truth_in_every_language(page, axe_check, monkeypatch):
    # The demo with the 2025 round decided but its results not yet published.
    monkeypatch.setattr("judging.demo._publish", lambda *args, **kwargs: None)
    call_command("load_demo", stdout=io.StringIO())
    english = CompetitionPage.objects.get(slug="2026", locale__language_code="en")
    finished = CompetitionPage.objects.get(slug="2025", locale__language_code="en")
    coordinator = account("truth.coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))

    # Before: open in every language.
    for path, submit in ((FINNISH_ROUND, "Jätä idea"), (SWEDISH_ROUND, "Lämna in en idé")):
        page.goto(path)
        assert page.get_by_role("link", name=submit).count() == 1
        axe_check(page)

    # The coordinator moves the deadline into the past on the English page and publishes.
    sign_in(page, coordinator.email)
    page.goto(f"/admin/pages/{english.pk}/edit/")
    new_deadline = timezone.localtime(timezone.now() - timedelta(hours=2)).replace(
        second=0, microsecond=0
    )
    page.locator("#id_closes_at").fill(new_deadline.strftime("%Y-%m-%d %H:%M"))
    page.locator("#id_closes_at").press("Tab")
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    english.refresh_from_db()
    assert english.closes_at == new_deadline
    # No translation was touched: their own rows still carry the old deadline.
    for translation in english.get_translations():
        assert translation.specific.closes_at != new_deadline
    page.goto("/admin/")
    page.context.clear_cookies()

    expected = {
        "fi": (FINNISH_ROUND, "/fi/", "Arviointi", "Jätä idea", "Arviointi päättyy"),
        "sv": (SWEDISH_ROUND, "/sv/", "Bedömning", "Lämna in en idé", "Bedömningen slutar"),
    }
    for language, (round_path, home, phase, submit, milestone) in expected.items():
        page.goto(round_path)
        status = page.locator(".round-status").inner_text()
        assert phase in status, status
        assert milestone in status, status
        assert page.get_by_role("link", name=submit).count() == 0
        deadline = page.locator(".round-status time").nth(2).get_attribute("datetime")
        assert deadline.startswith(new_deadline.strftime("%Y-%m-%dT%H:%M")), deadline
        axe_check(page)
        page.goto(home)
        assert page.locator(".open-rounds article").count() == 0, language
        axe_check(page)

    # The coordinator publishes the finished round's results on the English side.
    sign_in(page, coordinator.email)
    page.goto(f"/admin/judging/{finished.pk}/results/")
    with page.expect_navigation():
        page.get_by_role("link", name="Publish the results…").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the results").click()
    wait_for_admin_message(page)
    axe_check(page)
    page.goto("/admin/")
    page.context.clear_cookies()

    for path, heading, winner in (
        ("/fi/kilpailut/2025/", "Tulokset", "Voittaja"),
        ("/sv/tavlingar/2025/", "Resultat", "Vinnare"),
    ):
        page.goto(path)
        assert page.get_by_role("heading", name=heading, exact=True).count() == 1
        awards = page.locator(".award").all_inner_texts()
        assert winner.upper() in [text.upper() for text in awards], awards
        axe_check(page)
