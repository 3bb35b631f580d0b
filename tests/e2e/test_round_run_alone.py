"""The coordinator runs a whole round alone, in a real browser with axe on every page of ours.

Last year's round is copied into this year's draft and published; one existing person joins the
jury by a search on their name and a new one by e-mail, who follows the invitation's link,
creates the account and lands on the jury page; a team submits its idea; when submissions have
closed the coordinator opens judging from the dashboard, reads the assignment report and
confirms; writes to the jurors with unfinished reviews; a juror scores; and the coordinator
records the decision and publishes the results after the confirmation page. Time passes between
the steps by moving the round's dates, as the calendar would.
"""

import re

from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from wagtail.models import Locale

from ideas.models import CompetitionPage, IdeaStatus, Profile
from judging.models import Assignment, Award, JuryMember, RoundMessage
from tests.e2e.accounts import PASSWORD, account, sign_in
from tests.e2e.test_design import SHOTS
from tests.e2e.test_jury_journey import score_with_mouse
from tests.factories import make_idea, make_round, make_team, round_dates


def settle(page) -> None:
    """Wait for Wagtail's fading messages to finish, so axe reads their final colours."""
    page.locator(".messages li").first.wait_for()
    page.wait_for_timeout(1000)


def move_to(competition, phase: str) -> None:
    CompetitionPage.objects.filter(pk=competition.pk).update(**round_dates(phase))


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def test_coordinator_runs_a_round_alone(page, browser, live_server, axe_check):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Last year's round, named for the year its dates fall in.
    dates = round_dates("results")
    year = timezone.localtime(dates["opens_at"]).year
    last_year = make_round(
        phase="results",
        title=f"Round of the clinics {year}",
        slug=str(year),
        reviews_per_idea=2,
        **dates,
    )
    finnish = last_year.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish.title = f"Neuvoloiden kierros {year}"
    finnish.save_revision().publish()
    this_year = f"Round of the clinics {year + 1}"
    coordinator = account("coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    anna = account("anna.virtanen@example.org")
    Profile.objects.create(user=anna, name="Anna Virtanen")
    account("bertil.lindqvist@example.org")  # an account that must not be offered unasked
    lead = account("lead@example.org")

    # --- last year's round becomes this year's draft, then is published ---------------------
    sign_in(page, coordinator.email)
    page.goto(f"/admin/pages/{last_year.pk}/edit/")
    page.locator("header").get_by_role("button", name="Actions", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Copy this round").click()
    assert this_year in page.locator("main").inner_text()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Copy this round").click()
    competition = CompetitionPage.objects.get(title=this_year)
    assert not competition.live and competition.reviews_per_idea == 2
    assert competition.opens_at.year == last_year.opens_at.year + 1
    # (No axe on Wagtail's own editor: its rich-text field has no accessible name of its own.)
    page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    competition.refresh_from_db()
    assert competition.live

    # --- the jury: one person found by name, one invited by e-mail ----------------------------
    page.goto(f"/admin/jury/{competition.pk}/")
    assert "Nobody is on the jury yet." in page.locator("main").inner_text()
    axe_check(page)
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
    settle(page)
    axe_check(page)

    page.locator("#id_invite-name").fill("Nina Newcomer")
    page.locator("#id_invite-email").fill("nina.newcomer@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Add or invite to the jury").click()
    assert "The invitation is sent to nina.newcomer@example.org." in page.inner_text("body")
    settle(page)
    axe_check(page)

    (invitation,) = mails_to("nina.newcomer@example.org")
    link = re.search(r"https?://[^/\s]+(/en/jury/invitations/\S+)", invitation.body).group(1)
    nina = browser.new_context(base_url=live_server.url).new_page()
    nina.set_default_timeout(15_000)
    nina.goto(link)
    assert "nina.newcomer@example.org" in nina.locator("main").inner_text()
    axe_check(nina)
    nina.locator("input[name=password1]").fill(PASSWORD)
    nina.locator("input[name=password2]").fill(PASSWORD)
    with nina.expect_navigation():
        nina.get_by_role("button", name="Create the account and join the jury").click()
    assert nina.url.endswith(f"/en/jury/{competition.pk}/")
    assert this_year in nina.locator("main").inner_text()
    axe_check(nina)
    jurors = JuryMember.objects.filter(competition=competition)
    assert sorted(jurors.values_list("user__email", flat=True)) == [
        "anna.virtanen@example.org",
        "nina.newcomer@example.org",
    ]

    # --- submissions open; a team submits --------------------------------------------------
    move_to(competition, "open")
    idea = make_idea(
        team=make_team(lead=lead, name="Worried parents"),
        competition=competition,
        title="Psychologist within reach",
    )
    team = browser.new_context(base_url=live_server.url).new_page()
    team.set_default_timeout(15_000)
    sign_in(team, lead.email)
    team.goto(f"/en/my/ideas/{idea.pk}/")
    with team.expect_navigation():
        team.locator("button[value=submit]").click()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED
    axe_check(team)
    team.context.close()

    # --- submissions close; judging is opened from the dashboard -------------------------------
    move_to(competition, "judging")
    page.goto(f"/admin/judging/{competition.pk}/")
    axe_check(page)
    page.screenshot(path=str(SHOTS / "dashboard-judging-not-open.png"))
    with page.expect_navigation():
        page.get_by_role("link", name="Open judging now").click()
    report = page.locator("main").inner_text()
    assert "Opening judging makes 2 assignments" in report
    assert "Anna Virtanen" in report and "Every idea gets the reviewers" in report
    assert not Assignment.objects.filter(idea=idea).exists()  # nothing before the confirmation
    axe_check(page)
    page.screenshot(path=str(SHOTS / "open-judging-report.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Open judging and tell the jurors").click()
    settle(page)
    axe_check(page)
    assert sorted(Assignment.objects.filter(idea=idea).values_list("juror__email", flat=True)) == [
        "anna.virtanen@example.org",
        "nina.newcomer@example.org",
    ]
    for juror in ("anna.virtanen@example.org", "nina.newcomer@example.org"):
        assert len([m for m in mails_to(juror) if "Judging has opened" in m.subject]) == 1

    # --- a message to the jurors who have not finished ---------------------------------------
    with page.expect_navigation():
        page.get_by_role("link", name="Write to teams or jurors").click()
    page.get_by_label("Jurors with unfinished reviews").check()
    page.get_by_label("Subject (English)").fill("Reviews by Friday")
    page.get_by_label("Message (English)").fill("Please finish your reviews by Friday.")
    with page.expect_navigation():
        page.get_by_role("button", name="Show who receives it").click()
    receivers = page.locator("table", has_text="E-mail").first.inner_text()
    assert "anna.virtanen@example.org" in receivers and "nina.newcomer@example.org" in receivers
    assert "lead@example.org" not in receivers
    axe_check(page)
    page.screenshot(path=str(SHOTS / "message-preview.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Send the message").click()
    settle(page)
    axe_check(page)
    assert RoundMessage.objects.get(competition=competition).recipients
    told = {m.to[0] for m in mail.outbox if m.subject == "Reviews by Friday"}
    assert told == {"anna.virtanen@example.org", "nina.newcomer@example.org"}

    # --- a juror scores ---------------------------------------------------------------------
    nina.goto(f"/en/jury/{competition.pk}/")
    with nina.expect_navigation():
        nina.get_by_role("link", name="Psychologist within reach").click()
    axe_check(nina)
    score_with_mouse(nina, "4")
    assert "Your review is submitted." in nina.locator("main").inner_text()
    axe_check(nina)
    nina.context.close()

    # --- judging closes; the decision, then the results after their confirmation ------------
    move_to(competition, "deliberation")
    page.goto(f"/admin/judging/{competition.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Record the jury's decision").click()
    axe_check(page)
    decision = page.locator("fieldset.decision", has_text="Psychologist within reach")
    decision.get_by_label("Award").select_option("winner")
    decision.get_by_label("The jury's rationale").fill("Parents get help within days.")
    decision.get_by_label("Target group").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    assert "The jury's decision is recorded." in page.inner_text("body")
    settle(page)
    axe_check(page)
    assert Award.objects.get(idea=idea).level == "winner"

    page.goto(f"/admin/judging/{competition.pk}/results/")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Publish the results…").click()
    confirmation = page.locator("main").inner_text()
    assert "What becomes public" in confirmation and "Psychologist within reach" in confirmation
    competition.refresh_from_db()
    assert competition.results_published_at is None  # nothing public before the confirmation
    axe_check(page)
    page.screenshot(path=str(SHOTS / "publish-results-confirmation.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the results").click()
    assert "The results are published." in page.inner_text("body")
    settle(page)
    axe_check(page)
    competition.refresh_from_db()
    assert competition.results_published_at is not None

    # The public round page names the winner, and the Finnish page follows the round.
    page.context.clear_cookies()
    page.goto(competition.url)
    assert "Psychologist within reach" in page.locator("main").inner_text()
    axe_check(page)
    finnish = competition.get_translation(Locale.objects.get(language_code="fi")).specific
    assert finnish.title == f"Neuvoloiden kierros {year + 1}"
    finnish.save_revision().publish()  # the Finnish editor publishes the copied draft
    page.goto(finnish.url)
    assert "Psychologist within reach" in page.locator("main").inner_text()
    axe_check(page)
