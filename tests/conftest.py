import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language: a request in an earlier test may have
    activated another one in this thread."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    cache.clear()  # cached figures of one test's data must not reach the next
    yield
    translation.deactivate()


@pytest.fixture
def count_queries():
    """Run a callable and return how many queries it made, with nothing kept from before in
    the shared cache (``home.memo.shared``): as the first visitor after a change would."""
    from home.memo import new_edition

    def count(action) -> int:
        new_edition()
        with CaptureQueriesContext(connection) as captured:
            action()
        return len(captured.captured_queries)

    return count


@pytest.fixture
def coordinator(db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username="coordinator")
    user.groups.add(Group.objects.get(name="Coordinators"))
    return user


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database.get('HOST') or 'local'})"
