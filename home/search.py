"""Wagtail's database search, with PostgreSQL's Finnish, Swedish and English dictionaries.

On PostgreSQL each page is indexed with the text search configuration of its own language
(a Finnish page with ``finnish``, so "psykologille" and "psykologi" share the stem
"psykolog"), and a search is parsed with the configuration of the reader's language, which is
the language of the pages a visitor searches. Objects without a language (snippets, ideas)
use ``simple`` on both sides. On SQLite (the embedded default) it is Wagtail's own database
backend with a ranking that does not grow with the square of the matches
(``home.search_sqlite``); elsewhere Wagtail's own.

Settings: ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "home.search"}}``.
"""

from django.db import connection
from wagtail.search.backends import database

# The PostgreSQL text search configuration of each site language.
CONFIGS = {"en": "english", "fi": "finnish", "sv": "swedish"}
WITHOUT_LANGUAGE = "simple"


def config_for(language_code: str | None) -> str:
    if not language_code:
        return WITHOUT_LANGUAGE
    return CONFIGS.get(language_code.split("-")[0], WITHOUT_LANGUAGE)


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks a backend module up by
    if connection.vendor == "postgresql":
        from home.search_postgres import LanguageSearchBackend  # needs the apps loaded

        return LanguageSearchBackend(params)
    backend = database.SearchBackend(params)
    if connection.vendor == "sqlite" and type(backend).__name__ == "SQLiteSearchBackend":
        from home.search_sqlite import RankedQueryCompiler

        backend.query_compiler_class = RankedQueryCompiler
    return backend
