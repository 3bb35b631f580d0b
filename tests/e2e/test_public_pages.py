"""The public pages a visitor reads, in each language, checked in a real browser."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

PAGES = {
    "en": [
        ("/en/", "Ideatori"),
        ("/en/competitions/", "Competitions"),
        ("/en/competitions/2026/", "Innovation competition 2026"),
    ],
    "fi": [
        ("/fi/", "Ideatori"),
        ("/fi/kilpailut/", "Kilpailut"),
        ("/fi/kilpailut/2026/", "Innovaatiokilpailu 2026"),
    ],
    "sv": [
        ("/sv/", "Ideatori"),
        ("/sv/tavlingar/", "Tävlingar"),
        ("/sv/tavlingar/2026/", "Innovationstävlingen 2026"),
    ],
}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_home_rounds_and_round_page_are_accessible(page, demo, axe_check, language):
    for path, heading in PAGES[language]:
        page.goto(path)

        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").inner_text() == heading
        axe_check(page)


def test_visitor_goes_from_home_to_the_open_round_and_switches_language(page, demo):
    page.goto("/en/")
    page.get_by_role("link", name="Read the call: Innovation competition 2026").click()

    # is_visible() answers at once, perhaps before the new page has parsed; expect() waits.
    expect(page).to_have_url(re.compile(r"/en/competitions/2026/$"))
    expect(page.get_by_role("row", name="Client focus")).to_be_visible()

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Suomi").click()

    expect(page).to_have_url(re.compile(r"/fi/kilpailut/2026/$"))
    expect(page.locator("h1")).to_have_text("Innovaatiokilpailu 2026")
    expect(page.get_by_role("row", name="Asiakaslähtöisyys")).to_be_visible()


def test_keyboard_user_skips_to_the_content(page, demo):
    page.goto("/en/competitions/")
    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("link => link === document.activeElement")
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"


def test_not_found_page_is_accessible(page, demo, axe_check):
    response = page.goto("/fi/ei-ole/")

    assert response.status == 404
    assert page.locator("h1").inner_text() == "Sivua ei löytynyt"
    axe_check(page)


def test_axe_check_reports_a_real_violation(page, axe_check):
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')

    with pytest.raises(AssertionError) as failure:
        axe_check(page)

    assert "image-alt" in str(failure.value)
