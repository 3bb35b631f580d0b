"""PostgreSQL full-text search by language: see ``home.search``."""

import copy
from collections import defaultdict

from django.utils import translation
from modelsearch.backends.database.postgres import postgres
from wagtail.models import Locale, TranslatableMixin

from home.search import WITHOUT_LANGUAGE, config_for


class LanguageIndex(postgres.PostgresIndex):
    """Indexes each object with the text search configuration of its language."""

    def add_items(self, model, objs):
        languages = dict(Locale.objects.values_list("pk", "language_code"))
        by_config = defaultdict(list)
        for obj in objs:
            language = languages.get(getattr(obj, "locale_id", None))
            by_config[config_for(language)].append(obj)
        for config, group in by_config.items():
            backend = copy.copy(self.backend)
            backend.config = config
            postgres.PostgresIndex(backend).add_items(model, group)


class LanguageQueryCompiler(postgres.PostgresSearchQueryCompiler):
    """Parses a search with the configuration of the reader's language."""

    def get_config(self, backend):
        if issubclass(self.queryset.model, TranslatableMixin):
            return config_for(translation.get_language())
        return WITHOUT_LANGUAGE


class LanguageSearchBackend(postgres.PostgresSearchBackend):
    index_class = LanguageIndex
    query_compiler_class = LanguageQueryCompiler
