import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def count_queries():
    """Run a callable and return how many queries it made."""

    def count(action) -> int:
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
