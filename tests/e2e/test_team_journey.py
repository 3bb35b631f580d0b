"""A team's whole journey in a real browser, with axe on every page, in English and Finnish:
sign up, verify the e-mail, create a team, invite a colleague who accepts, write a draft over
two sessions (warned where the blind round's text names the team), attach a PDF that cannot
be cleaned of metadata (kept for the team, withheld from the jury, the coordinators told),
submit, receive the receipt, and read the idea after the deadline."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ideas.models import CompetitionPage, Idea, IdeaStatus
from tests.e2e.accounts import PASSWORD, account, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ROUND_PATH = {"en": "/en/competitions/2026/", "fi": "/fi/kilpailut/2026/"}


def link_in_latest_mail(to: str, pattern: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    return re.search(rf"https?://[^/\s]+({pattern}\S*)", message.body).group(1)


def submit(page, selector: str = "main button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


@pytest.mark.parametrize("language", ["en", "fi"])
def test_team_journey(browser, live_server, axe_check, language):
    call_command("load_demo", stdout=io.StringIO())
    colleague = account(f"psychologist-{language}@example.org")
    email = f"nurse-{language}@example.org"
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()

    # Sign up and verify the address from the captured e-mail.
    page.goto(f"/{language}/accounts/signup/")
    axe_check(page)
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page)
    page.goto(link_in_latest_mail(email, f"/{language}/accounts/confirm-email/"))
    axe_check(page)
    submit(page)

    # From the open round to a new team that spans two units.
    page.goto(ROUND_PATH[language])
    with page.expect_navigation():
        page.locator('main a[href$="/submit/"]').click()
    axe_check(page)
    with page.expect_navigation():
        page.locator('main a[href*="/my/teams/new/"]').first.click()
    axe_check(page)
    page.fill("input[name=name]", "Worried parents")
    page.get_by_label("Maternity and child health clinic").check()
    page.get_by_label("Mental health and substance abuse services").check()
    page.fill("input[name=profession]", "Public health nurse")
    submit(page)
    submit(page)  # back on the start page: start writing with the new team
    assert "/my/ideas/" in page.url
    idea = Idea.objects.get(team__name="Worried parents")
    assert idea.competition == CompetitionPage.objects.get(locale__language_code="en", slug="2026")

    # Invite the colleague, who accepts in their own browser.
    page.goto(f"/{language}/my/teams/{idea.team_id}/")
    axe_check(page)
    page.fill("input[name=email]", colleague.email)
    submit(page, "main form:not(.inline) button[type=submit]")
    colleague_page = browser.new_context(base_url=live_server.url).new_page()
    sign_in(colleague_page, colleague.email, language)
    colleague_page.goto(link_in_latest_mail(colleague.email, f"/{language}/invitations/"))
    axe_check(colleague_page)
    submit(colleague_page, "button[value=accept]")
    assert idea.team.memberships.filter(user=colleague).exists()

    # A draft written over two sessions.
    page.goto(f"/{language}/my/ideas/{idea.pk}/")
    axe_check(page)
    page.fill("input[name=title]", "Psychologist within reach")
    page.fill("textarea[name=summary]", "The nurse consults a psychologist the same week.")
    submit(page, "button[value=save]")
    page.goto(f"/{language}/accounts/logout/")
    submit(page)
    sign_in(page, email, language)
    page.goto(f"/{language}/my/ideas/")
    axe_check(page)
    with page.expect_navigation():
        page.locator(f'main a[href$="/my/ideas/{idea.pk}/"]').click()
    assert page.input_value("input[name=title]") == "Psychologist within reach"
    page.fill("textarea[name=problem]", "Worried parents wait weeks for help.")
    page.fill("textarea[name=service_model]", "A shared consultation hour.")
    page.fill("textarea[name=target_group]", "Expectant parents and parents of babies.")

    # The autosave keeps what was typed without a reload.
    page.dispatch_event("#idea-form", "ideatori:autosave")
    # (A locator, not a page function: the page's Content-Security-Policy forbids eval.)
    page.locator("#autosave-status").filter(has_text=re.compile(r"\S")).wait_for()
    idea.refresh_from_db()
    assert idea.problem == "Worried parents wait weeks for help."

    # Attach a PDF, then submit. This PDF is damaged: kept for the team, withheld from the jury.
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    submit(page, 'form[action$="/files/"] button[type=submit]')
    assert page.locator('main a[href*="/files/"]').inner_text() == "plan.pdf"
    assert page.locator("main .files .field-error").count() == 1
    submit(page, "button[value=submit]")
    # "Worried parents wait weeks" names the team: the blind round's editor warns, no more.
    assert page.locator("main section.identifying li").count() == 1
    axe_check(page)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED
    about_it = [m for m in mail.outbox if "Psychologist within reach" in m.subject]
    receipts = [m for m in about_it if m.to[0] in (email, colleague.email)]
    assert sorted(m.to[0] for m in receipts) == sorted([email, colleague.email])
    # The coordinators are told of the file withheld from the blind jury.
    told = {m.to[0] for m in about_it if m.to[0] not in (email, colleague.email)}
    assert told == {"admin@example.org", "coordinator@example.org"}

    # After the deadline the idea is read-only.
    CompetitionPage.objects.filter(pk=idea.competition_id).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    page.goto(f"/{language}/my/ideas/{idea.pk}/")
    assert page.locator("input[name=title]").count() == 0
    assert "Worried parents wait weeks for help." in page.locator("main").inner_text()
    axe_check(page)
    context.close()
