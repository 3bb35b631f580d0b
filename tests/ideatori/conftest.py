import pytest

from tests.home.test_production_settings import run_manage


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> str:
    """Collected once: the error page links the stylesheet by its hashed name."""
    root = tmp_path_factory.mktemp("static")
    result = run_manage("collectstatic", "--noinput", "-v0", DJANGO_STATIC_ROOT=str(root))
    assert result.returncode == 0, result.stderr
    return str(root)


@pytest.fixture(scope="session")
def production_database(tmp_path_factory) -> str:
    """DATABASE_URL of an SQLite file migrated once by production settings."""
    url = f"sqlite:///{tmp_path_factory.mktemp('database') / 'production.sqlite3'}"
    result = run_manage("migrate", "--noinput", "-v0", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    return url
