import io
import re
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tests.factories import make_round

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fi", "sv"]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def visible_text(html: str) -> str:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / f"locale/{language}/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_translated_and_compiled(language):
    po = catalogue(language)
    compiled = {
        entry.msgid: entry.msgstr or entry.msgstr_plural
        for entry in polib.mofile(str(ROOT / f"locale/{language}/LC_MESSAGES/django.mo"))
    }

    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    for entry in po.translated_entries():
        assert compiled.get(entry.msgid) == (entry.msgstr or entry.msgstr_plural), entry.msgid


@pytest.mark.parametrize(
    ("language", "paths"),
    [
        (
            "fi",
            [
                "/fi/",
                "/fi/tietoa/",
                "/fi/kilpailut/",
                "/fi/kilpailut/2026/",
                "/fi/kilpailut/2025/psykologi-lahella/",
                "/fi/ei-ole/",
            ],
        ),
        (
            "sv",
            [
                "/sv/",
                "/sv/om/",
                "/sv/tavlingar/",
                "/sv/tavlingar/2026/",
                "/sv/tavlingar/2025/psykolog-nara/",
                "/sv/finns-inte/",
            ],
        ),
    ],
)
def test_no_english_interface_text_on_translated_pages(client, demo, language, paths):
    english = {
        entry.msgid
        for entry in catalogue(language)
        if len(entry.msgid.split()) > 1 and entry.msgstr != entry.msgid
    }
    for path in paths:
        response = client.get(path)
        text = visible_text(response.content.decode())
        leaked = sorted(msgid for msgid in english if msgid in text)
        assert leaked == [], (path, leaked)
        assert f'<html lang="{language}">' in response.content.decode()


ROUND_HEADINGS = {
    "/en/competitions/2026/": "How the jury scores ideas",
    "/fi/kilpailut/2026/": "Miten raati pisteyttää ideat",
    "/sv/tavlingar/2026/": "Hur juryn poängsätter idéerna",
}


def test_round_page_in_each_language(client, demo):
    for path, heading in ROUND_HEADINGS.items():
        assert heading in client.get(path).content.decode(), path


def test_language_switcher_leads_to_the_same_pages_translation(client, demo):
    html = client.get("/en/competitions/2026/").content.decode()

    assert 'href="/fi/kilpailut/2026/" lang="fi" hreflang="fi"' in html
    assert 'href="/sv/tavlingar/2026/" lang="sv" hreflang="sv"' in html
    assert 'href="/en/competitions/2026/" lang="en" hreflang="en" aria-current="true"' in html


def test_language_switcher_falls_back_to_the_languages_home_page(client, demo):
    untranslated = make_round(title="Only in English")

    html = client.get(untranslated.url).content.decode()

    assert 'href="/fi/" lang="fi"' in html
    assert 'href="/sv/" lang="sv"' in html


NOT_FOUND = {
    "/en/no-such-page/": "Page not found",
    "/fi/ei-ole/": "Sivua ei löytynyt",
    "/sv/finns-inte/": "Sidan hittades inte",
    "/de/keine-seite/": "Page not found",
    "/xx/": "Page not found",
    "/fi/kilpailut/2026/ei-ole/": "Sivua ei löytynyt",
    "/sv/tavlingar/2025/<script>/": "Sidan hittades inte",
}


def test_unknown_path_or_language_gets_the_translated_404_page(client, demo):
    for path, message in NOT_FOUND.items():
        response = client.get(path, follow=True)

        assert response.status_code == 404, path
        assert message in response.content.decode(), path


@override_settings(ROOT_URLCONF="tests.urls_failing")
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/en/fail/", "Something went wrong"),
        ("/fi/fail/", "Jokin meni vikaan"),
        ("/sv/fail/", "Något gick fel"),
    ],
)
def test_server_error_page_is_translated(db, path, message):
    client = Client(raise_request_exception=False)

    response = client.get(path)

    assert response.status_code == 500
    assert message in response.content.decode()


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_juror_pages_have_no_english_interface_text(client, demo, language):
    from django.contrib.auth import get_user_model

    from ideas.models import CompetitionPage

    juror = get_user_model().objects.get(username="juror")
    finished = CompetitionPage.objects.get(locale__language_code="en", slug="2025")
    idea = juror.assignments.filter(idea__competition=finished).first().idea
    client.force_login(juror)
    english = {
        entry.msgid
        for entry in catalogue(language)
        if len(entry.msgid.split()) > 1 and entry.msgstr != entry.msgid
    }
    for path in (f"/{language}/jury/{finished.pk}/", f"/{language}/jury/ideas/{idea.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.content.decode())
        assert sorted(msgid for msgid in english if msgid in text) == [], path
