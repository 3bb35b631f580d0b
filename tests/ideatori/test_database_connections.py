"""Database connections under production settings, on a throwaway PostgreSQL cluster: the
pool is used (one server connection reused, never more than its maximum), and
``check --deploy`` warns exactly when the deployment can open more connections than the
server accepts."""

import tempfile
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

from tests.home.test_production_settings import run_manage
from tests.home.test_worker_outlives_the_database import PG_BIN, Cluster

pytestmark = [
    pytest.mark.skipif(not PG_BIN, reason="PostgreSQL's server binaries are not installed"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="runs once, in the SQLite pass: it starts a PostgreSQL cluster of its own",
    ),
]

# 20 - 3 superuser-reserved connections: 17 for the site.
MAX_CONNECTIONS = 20


class SmallCluster(Cluster):
    def start(self) -> None:
        options = (
            f"-k {self.folder} -c listen_addresses='' -c fsync=off "
            f"-c max_connections={MAX_CONNECTIONS} -c superuser_reserved_connections=3"
        )
        log = str(self.folder / "postgres.log")
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-o", options, "start"
        )


@pytest.fixture(scope="module")
def database_url():
    with tempfile.TemporaryDirectory(prefix="ideatori-pg-") as folder:
        cluster = SmallCluster(Path(folder))
        url = cluster.create()
        try:
            yield url
        finally:
            cluster.stop()


PROBE = textwrap.dedent(
    """
    import threading
    from django.db import connection

    def backend_pid():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    pids = set()
    for _ in range(6):
        pids.add(backend_pid())
        connection.close()  # the end of a request

    def request():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.3)")
        connection.close()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_type = 'client backend'"
        )
        opened = cursor.fetchone()[0]
    pool = connection.pool
    print(pool.max_size if pool else "none", len(pids), opened)
    """
)


def probe(database_url: str, **env: str | None) -> list[str]:
    result = run_manage("shell", "-c", PROBE, DATABASE_URL=database_url, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_production_pools_connections_and_never_opens_more_than_the_pool(database_url):
    pool_max, pids, opened = probe(database_url, GUNICORN_THREADS="3")

    # The pool is as large as the process's threads; a request's connection goes back to it,
    # so six requests one after another reuse the server processes the pool opened (one or
    # two: the pool may grow while the first request waits); eight threads share three.
    assert pool_max == "3"
    assert 1 <= int(pids) <= 2
    assert 1 <= int(opened) <= 3


def test_persistent_connections_instead_of_the_pool_when_chosen(database_url):
    pool_max, pids, _opened = probe(
        database_url, DJANGO_DB_POOL_MAX="0", DATABASE_CONN_MAX_AGE="0", GUNICORN_THREADS="3"
    )

    # Without the pool, each request (connection.close()) gets a new server process.
    assert pool_max == "none"
    assert pids == "6"


def test_pool_and_persistent_connections_together_stop_start_up(database_url):
    result = run_manage(
        "check", DATABASE_URL=database_url, DJANGO_DB_POOL_MAX="4", DATABASE_CONN_MAX_AGE="60"
    )

    assert result.returncode != 0
    assert "choose the pool (DATABASE_CONN_MAX_AGE=0)" in result.stderr


def deploy_check(database_url: str, **env: str | None) -> str:
    base = {
        "DATABASE_URL": database_url,
        "REDIS_URL": None,
        "GUNICORN_WORKERS": "1",
        "IDEATORI_WEB_SERVERS": "1",
        "IDEATORI_BACKGROUND_PROCESSES": "2",
        "DATABASE_CONN_MAX_AGE": None,
        "DATABASE_MAX_CONNECTIONS": None,
    }
    result = run_manage("check", "--deploy", **(base | env))
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "warned"),
    [
        # 3 servers × 1 process × a pool of 5 + 2 background = 17: just fits.
        ({"IDEATORI_WEB_SERVERS": "3", "DJANGO_DB_POOL_MAX": "5"}, False),
        # One more background process: 18.
        (
            {
                "IDEATORI_WEB_SERVERS": "3",
                "DJANGO_DB_POOL_MAX": "5",
                "IDEATORI_BACKGROUND_PROCESSES": "3",
            },
            True,
        ),
        # A pool as large as the threads by default: 1 × 15 + 2 = 17, then 1 × 16 + 2 = 18.
        ({"GUNICORN_THREADS": "15"}, False),
        ({"GUNICORN_THREADS": "16"}, True),
        # Persistent connections, one per thread: 5 processes × 3 threads + 2, then × 4.
        (
            {
                "DJANGO_DB_POOL_MAX": "0",
                "DATABASE_CONN_MAX_AGE": "60",
                "GUNICORN_WORKERS": "5",
                "GUNICORN_THREADS": "3",
            },
            False,
        ),
        (
            {
                "DJANGO_DB_POOL_MAX": "0",
                "DATABASE_CONN_MAX_AGE": "60",
                "GUNICORN_WORKERS": "5",
                "GUNICORN_THREADS": "4",
            },
            True,
        ),
    ],
)
def test_deploy_check_warns_when_connections_can_exceed_max_connections(database_url, env, warned):
    output = deploy_check(database_url, **env)

    assert ("home.W010" in output) is warned, output
    if warned:
        assert "PostgreSQL's max_connections allows 17" in output


@pytest.mark.parametrize(("limit", "warned"), [("17", False), ("16", True)])
def test_deploy_check_uses_the_setting_when_the_database_does_not_answer(limit, warned):
    unreachable = "postgres://postgres@%2Fnonexistent-ideatori-socket/ideatori"
    output = deploy_check(
        unreachable,
        DJANGO_DB_POOL_MAX="0",
        GUNICORN_THREADS="15",
        DATABASE_MAX_CONNECTIONS=limit,
    )

    assert ("home.W010" in output) is warned, output
    if warned:
        assert "DATABASE_MAX_CONNECTIONS allows 16" in output


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DJANGO_DB_POOL_MAX", "many"), ("DJANGO_DB_POOL_MIN", "-1"), ("IDEATORI_WEB_SERVERS", "2.5")],
)
def test_a_connection_setting_that_is_no_whole_number_stops_start_up(database_url, variable, value):
    result = run_manage("check", DATABASE_URL=database_url, **{variable: value})

    assert result.returncode != 0
    assert f"The environment variable {variable} must be a whole number" in result.stderr
    assert repr(value) in result.stderr
