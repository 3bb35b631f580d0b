"""The finished look, in a real browser: every page a person works in, at 1,280 and 375 px,
saved as screenshots (CI keeps them as artefacts), axe clean; form labels above their fields;
no table wider than the space it is given unless it sits in a scroll region the keyboard
reaches; no page wider than the window; the juror's menu on one line at 1,280 px."""

import io
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from ideas.models import CompetitionIndexPage, CompetitionPage, Idea, IdeaStatus, InnovationPage
from tests.e2e.accounts import account, sign_in
from tests.factories import make_assignment, make_idea, make_juror, make_round, make_team

SHOTS = Path(
    os.environ.get("IDEATORI_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "artefacts" / "screenshots"
)
WIDTHS = (1280, 375)

LABELS_ABOVE = """() => {
    const problems = [];
    const fields = document.querySelectorAll(
        'main input:not([type=hidden]):not([type=radio]):not([type=checkbox]),'
        + 'main textarea, main select'
    );
    for (const field of fields) {
        const label = field.id && document.querySelector(`label[for="${field.id}"]`);
        if (!label) { problems.push(`${field.name}: no label`); continue; }
        const l = label.getBoundingClientRect(), f = field.getBoundingClientRect();
        if (l.bottom > f.top + 1) problems.push(`${field.name}: label not above the field`);
        if (l.left < f.left - 1 || l.left > f.right) {
            problems.push(`${field.name}: label beside it`);
        }
    }
    for (const group of document.querySelectorAll('main fieldset')) {
        const legend = group.querySelector('legend');
        const choices = group.querySelectorAll('input[type=radio], input[type=checkbox]');
        if (!legend || !choices.length) continue;
        const top = Math.min(...[...choices].map(c => c.getBoundingClientRect().top));
        if (legend.getBoundingClientRect().bottom > top + 1) {
            problems.push(`${legend.innerText}: legend not above`);
        }
    }
    return {count: fields.length, problems};
}"""

TABLES_FIT = """() => {
    const problems = [];
    const tables = document.querySelectorAll('table');
    for (const table of tables) {
        const name = (table.caption && table.caption.innerText) || table.className;
        let region = table.parentElement;
        while (region && !['auto', 'scroll'].includes(getComputedStyle(region).overflowX)) {
            region = region.parentElement;
        }
        const box = table.getBoundingClientRect();
        if (region) {
            const r = region.getBoundingClientRect();
            if (r.right > document.documentElement.clientWidth + 1) {
                problems.push(`${name}: region wider than the window`);
            }
            if (region.scrollWidth > region.clientWidth + 1 && region.tabIndex < 0) {
                problems.push(`${name}: scrolls but the keyboard cannot reach it`);
            }
        } else if (box.right > table.parentElement.getBoundingClientRect().right + 1) {
            problems.push(`${name}: wider than its container`);
        }
    }
    return {count: tables.length, problems};
}"""

PAGE_WIDTH = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def look(page, axe_check, name: str, path: str) -> None:
    """Open ``path`` at each width: no horizontal page scroll, tables that fit or scroll by
    keyboard, axe clean; a full-page screenshot of each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        if path.startswith("/admin/"):
            page.wait_for_timeout(500)
        assert page.evaluate(PAGE_WIDTH) <= 0, f"{path} scrolls sideways at {width} px"
        tables = page.evaluate(TABLES_FIT)
        assert tables["problems"] == [], (path, width, tables)
        if width == 1280:
            axe_check(page)
        page.screenshot(path=str(SHOTS / f"{name}-{width}x800.png"), full_page=True)


@pytest.fixture
def world():
    call_command("load_demo", stdout=io.StringIO())
    index = CompetitionIndexPage.objects.get(locale__language_code="en")
    judging = make_round(index, phase="judging", title="Autumn round", slug="autumn")
    juror = account("design.juror@example.org")
    make_juror(judging, juror)
    idea = make_idea(
        team=make_team(),
        competition=judging,
        status=IdeaStatus.SUBMITTED,
        title="Evening counselling for families",
    )
    make_assignment(juror, idea)
    lead = account("design.lead@example.org")
    draft = make_idea(
        team=make_team(lead=lead, name="Design team"),
        competition=CompetitionPage.objects.get(slug="2026", locale__language_code="en"),
        title="Shared reception desk",
    )
    coordinator = account("design.coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    return {
        "juror": juror,
        "review": idea,
        "lead": lead,
        "draft": draft,
        "coordinator": coordinator,
    }


def test_every_page_at_both_widths(page, axe_check, world):
    innovation = InnovationPage.objects.live().filter(locale__language_code="en").first()
    finished = CompetitionPage.objects.get(slug="2025", locale__language_code="en")

    look(page, axe_check, "home", "/en/")
    look(page, axe_check, "round", "/en/competitions/2026/")
    look(page, axe_check, "showcase", "/en/innovations/?award=winner")
    assert page.locator(".filter-panel select").count() >= 5
    look(page, axe_check, "innovation", innovation.url)
    look(page, axe_check, "round-fi", "/fi/kilpailut/2025/")

    sign_in(page, world["lead"].email)
    look(page, axe_check, "my-ideas", "/en/my/ideas/")
    look(page, axe_check, "idea-editor", f"/en/my/ideas/{world['draft'].pk}/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        labels = page.evaluate(LABELS_ABOVE)
        assert labels["count"] >= 12 and labels["problems"] == [], (width, labels)
    look(page, axe_check, "team", f"/en/my/teams/{world['draft'].team_id}/")
    page.context.clear_cookies()

    sign_in(page, world["juror"].email)
    look(page, axe_check, "review", f"/en/jury/ideas/{world['review'].pk}/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        labels = page.evaluate(LABELS_ABOVE)
        assert labels["count"] >= 7 and labels["problems"] == [], (width, labels)
    page.set_viewport_size({"width": 1280, "height": 800})
    tops = page.locator(".account-menu li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) == 4 and len(set(tops)) == 1, tops  # My ideas, Jury, Profile, Sign out
    page.set_viewport_size({"width": 375, "height": 800})
    boxes = page.locator(".account-menu a, .language-switcher a").evaluate_all(
        "links => links.map(link => link.getBoundingClientRect().right)"
    )
    assert max(boxes) <= 375, boxes
    page.context.clear_cookies()

    sign_in(page, world["coordinator"].email)
    look(page, axe_check, "ranking", f"/admin/judging/{finished.pk}/")
    # At 1,280 px the ranking's scroll region takes the keyboard, and the rank and the idea
    # stay in view while the rest scrolls.
    page.set_viewport_size({"width": 1280, "height": 800})
    region = page.get_by_role("region", name="Ranking")
    first_idea = region.locator("tbody th[scope=row]").first
    assert first_idea.inner_text() in set(
        Idea.objects.filter(competition=finished).values_list("title", flat=True)
    )
    region.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    # The browser scrolls smoothly: wait until the arrows have moved the region.
    page.wait_for_function(
        "r => r.scrollLeft > 0 || r.scrollWidth <= r.clientWidth",
        arg=region.element_handle(),
        timeout=5000,
    )
    region_left = region.evaluate("r => r.getBoundingClientRect().left")
    assert first_idea.evaluate("c => c.getBoundingClientRect().left") >= region_left - 1
