"""Every page a person sees runs under its Content-Security-Policy with nothing refused.

Chromium reports each thing a policy blocks as a ``securitypolicyviolation`` event (an init
script keeps them on ``window``, in every frame) and as a console message; both are collected
on every public, team, juror and sign-in page and on the admin's screens a coordinator uses,
with data behind each so that charts, forms, the autosave and the editors show for real.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Site

from home.models import SiteSettings
from ideas.models import CompetitionIndexPage, CompetitionPage, IdeaStatus, InnovationPage
from ideas.services import invite_member
from judging.services import add_juror_by_email
from tests.e2e.accounts import account, sign_in
from tests.factories import make_assignment, make_idea, make_juror, make_round, make_team

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__csp.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
        + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""
# What Chromium writes to the console when a policy (or the Permissions-Policy) refuses or
# cannot read something.
POLICY_WORDS = (
    "Content Security Policy",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Permissions policy",
    "Unrecognized feature",
    "nonce",
)


class PolicyWatch:
    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        self.pages: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.found.append(f"{page.url}: error {error}"))

    def console(self, message) -> None:
        if any(word in message.text for word in POLICY_WORDS):
            self.found.append(f"{self.page.url}: console {message.type}: {message.text}")

    def collect(self) -> None:
        for frame in self.page.frames:
            try:
                events = frame.evaluate("() => window.__csp || []")
            except Exception:  # noqa: BLE001 - a frame gone away has nothing to say
                continue
            self.found.extend(f"{frame.url}: {event}" for event in events)

    def visit(self, path: str, *, status: int = 200, settle: bool = False) -> None:
        response = self.page.goto(path)
        assert response.status == status, (path, response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src" in policy, (path, policy)
        if settle:
            self.page.wait_for_load_state("networkidle")
        self.collect()
        self.pages.append(path)


@pytest.fixture
def world():
    call_command("load_demo", stdout=io.StringIO())
    index = CompetitionIndexPage.objects.get(locale__language_code="en")
    judging = make_round(index, phase="judging", title="Autumn round", slug="autumn")
    juror = account("csp.juror@example.org")
    make_juror(judging, juror)
    review = make_idea(
        team=make_team(),
        competition=judging,
        status=IdeaStatus.SUBMITTED,
        title="Evening counselling for families",
    )
    make_assignment(juror, review)
    lead = account("csp.lead@example.org")
    draft = make_idea(
        team=make_team(lead=lead, name="Header team"),
        competition=CompetitionPage.objects.get(slug="2026", locale__language_code="en"),
        title="Shared reception desk",
    )
    # The site's colours: a stylesheet of its own (no inline style, no nonce).
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.primary_colour = "#005799"
    site_settings.save()
    coordinator = account("csp.coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    _, team_token = invite_member(team=draft.team, email="csp.new@example.org", by=lead)
    jury_token = add_juror_by_email(
        competition=judging,
        name="New Juror",
        email="csp.new.juror@example.org",
        language="en",
        by=coordinator,
    ).token
    return {
        "team_token": team_token,
        "jury_token": jury_token,
        "judging": judging,
        "juror": juror,
        "review": review,
        "lead": lead,
        "draft": draft,
        "coordinator": coordinator,
    }


def test_every_page_loads_with_no_policy_violation(page, world):
    watch = PolicyWatch(page)
    innovation = InnovationPage.objects.live().filter(locale__language_code="en").first()
    finished = CompetitionPage.objects.get(slug="2025", locale__language_code="en")
    open_round = CompetitionPage.objects.get(slug="2026", locale__language_code="en")
    open_round_fi = CompetitionPage.objects.get(
        translation_key=open_round.translation_key, locale__language_code="fi"
    )

    # The public, in each language, and the sign-in pages.
    for path in (
        "/en/",
        "/fi/",
        "/sv/",
        "/en/competitions/",
        "/en/competitions/2026/",
        "/fi/kilpailut/2025/",
        "/sv/tavlingar/2026/",
        "/en/innovations/?award=winner",
        innovation.url,
        "/en/about/",
        "/en/accounts/login/",
        "/en/accounts/signup/",
        "/en/accounts/password/reset/",
        f"/en/invitations/{world['team_token']}/",
        f"/en/jury/invitations/{world['jury_token']}/",
    ):
        watch.visit(path)
    primary = "getComputedStyle(document.documentElement).getPropertyValue('--ideatori-primary')"
    assert page.evaluate(primary).strip() == "#005799"
    for path in (
        "/en/no-such-page/",
        "/en/invitations/no-such-link/",
        "/en/jury/invitations/no-such-link/",
    ):
        watch.visit(path, status=404)
    page.goto(innovation.url)
    assert page.locator(".metric-chart svg").count() == 1
    watch.collect()

    # A team: its ideas, the editor with its autosave, history, the team.
    sign_in(page, world["lead"].email)
    draft = world["draft"]
    for path in (
        "/en/my/ideas/",
        "/en/my/profile/",
        "/en/my/teams/new/",
        f"/en/my/teams/{draft.team_id}/",
        f"/en/my/teams/{draft.team_id}/edit/",
        f"/en/my/ideas/start/{draft.competition_id}/",
        "/en/competitions/2026/submit/",
        "/en/accounts/email/",
        "/en/accounts/password/change/",
        "/en/accounts/2fa/",
        "/en/my/account/delete/",
        "/en/accounts/logout/",
    ):
        watch.visit(path)
    watch.visit(f"/en/my/ideas/{draft.pk}/")
    page.locator("#idea-form textarea").first.fill("Reception shared by every unit.")
    page.evaluate(
        "() => document.getElementById('idea-form').dispatchEvent(new Event('ideatori:autosave'))"
    )
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.trim() !== ''"
    )
    watch.collect()
    watch.visit(f"/en/my/ideas/{draft.pk}/history/")
    page.context.clear_cookies()

    # A juror: the jury's home, the round's ideas, a review with its form.
    sign_in(page, world["juror"].email)
    for path in (
        "/en/jury/",
        f"/en/jury/{world['judging'].pk}/",
        f"/en/jury/{world['judging'].pk}/conflict/",
        f"/en/jury/ideas/{world['review'].pk}/",
        f"/en/jury/ideas/{world['review'].pk}/conflict/",
    ):
        watch.visit(path)
    page.context.clear_cookies()

    # The coordinator: Wagtail's userbar on a public page, then the admin.
    sign_in(page, world["coordinator"].email)
    watch.visit("/en/competitions/2026/", settle=True)
    assert page.locator("wagtail-userbar").count() == 1
    for path in (
        "/admin/",
        f"/admin/pages/{open_round.get_parent().pk}/",
        f"/admin/pages/{open_round.pk}/edit/",
        f"/admin/pages/{innovation.pk}/edit/",
        f"/admin/pages/{open_round_fi.pk}/edit/",
        "/admin/judging/",
        f"/admin/judging/{finished.pk}/",
        f"/admin/judging/{finished.pk}/decision/",
        f"/admin/judging/{finished.pk}/results/",
        f"/admin/judging/{finished.pk}/messages/",
        f"/admin/judging/{world['judging'].pk}/",
        f"/admin/jury/{open_round.pk}/",
        "/admin/idea/",
        "/admin/team/",
        "/admin/snippets/",
        "/admin/snippets/ideas/serviceunit/",
        "/admin/snippets/home/emailtext/",
        "/admin/reports/site-history/",
        "/admin/reports/locked/",
        "/admin/outbox/",
        "/admin/people/erase/",
        f"/admin/people/erase/?q={world['lead'].email}",
    ):
        watch.visit(path, settle=True)
    watch.visit(f"/admin/judging/{finished.pk}/")
    assert page.locator("svg.chart").count() >= 2  # each idea's bar, each juror's strip

    # The page editor's live preview, in its side panel.
    page.goto(f"/admin/pages/{open_round.pk}/edit/")
    page.get_by_role("button", name="Toggle preview").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll("iframe[title='Preview']")].some(
            (frame) => frame.contentDocument && frame.contentDocument.querySelector("main h1"))"""
    )
    watch.collect()
    assert any("preview" in frame.url for frame in page.frames)

    assert watch.found == [], "\n".join(watch.found)


def test_policy_watch_sees_a_refused_inline_script(page, live_server):
    watch = PolicyWatch(page)
    watch.visit("/en/accounts/login/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.ran = true";
            document.body.append(script);
        }"""
    )
    watch.collect()

    assert page.evaluate("() => window.ran") is None
    assert any("script-src-elem blocked inline" in found for found in watch.found), watch.found
