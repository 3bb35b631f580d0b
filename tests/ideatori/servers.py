"""gunicorn started as the image starts it, for tests of what production really does."""

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ideatori.healthcheck import check
from tests.home.test_production_settings import ROOT, production_env


@contextmanager
def gunicorn(log: Path, **env_overrides: str | None) -> Iterator[str]:
    """gunicorn with gunicorn.conf.py and production settings (plus tests/urls_failing's
    /en/fail/), on a free loopback port unless GUNICORN_BIND says otherwise; yields the
    address it listens at. Its log is complete once the block ends."""
    env = production_env(
        DJANGO_SETTINGS_MODULE="tests.production_failing_settings",
        GUNICORN_BIND="127.0.0.1:0",
        GUNICORN_WORKERS="1",
        # gunicorn's control socket beside the log, so that servers of parallel tests differ.
        XDG_RUNTIME_DIR=str(log.parent),
    ) | {name: value for name, value in env_overrides.items() if value is not None}
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not (listening := re.search(r"Listening at: (\S+) \(", log.read_text())):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        # The first request loads the site's code in the worker, which on a loaded machine
        # takes longer than a health check may wait; the image's HEALTHCHECK has a start
        # period for it. Ask once, patiently, so that tests meet a server that has started.
        check(listening.group(1).removeprefix("http://"), timeout=120)
        yield listening.group(1)
    finally:
        server.terminate()
        server.wait(timeout=30)
