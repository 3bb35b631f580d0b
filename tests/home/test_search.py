"""Full-text search by language: Finnish, Swedish and English dictionaries on PostgreSQL."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from home.search import config_for
from ideas.models import InnovationIndexPage, InnovationPage


@pytest.mark.parametrize(
    ("language", "config"),
    [
        ("en", "english"),
        ("fi", "finnish"),
        ("sv", "swedish"),
        ("fi-fi", "finnish"),
        ("de", "simple"),
        (None, "simple"),
    ],
)
def test_each_language_has_its_text_search_configuration(language, config):
    assert config_for(language) == config


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's dictionaries only")
def test_showcase_search_finds_inflected_words_in_each_language(client):
    call_command("load_demo", stdout=io.StringIO())
    # Inflected forms that share only a stem with the winner's text in each language.
    searches = {"fi": "psykologille", "sv": "psykologerna", "en": "psychologists"}
    for language, word in searches.items():
        winner = InnovationPage.objects.get(award="winner", locale__language_code=language)
        showcase = InnovationIndexPage.objects.get(locale__language_code=language)
        html = client.get(showcase.url, {"q": word}).content.decode()
        assert winner.title in html, language
        # Without the language's dictionary the word would not have matched.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_tsvector('simple', %s) @@ plainto_tsquery('simple', %s)",
                [f"{winner.title} {winner.summary}", word],
            )
            assert cursor.fetchone()[0] is False, language
