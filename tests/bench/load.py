"""Pages under load: ``wrk`` against gunicorn on loopback, as a ratio to bare Django.

Three gunicorn servers (``-w 2`` each, gunicorn's defaults: no access log, no recycling) run
side by side on the benchmarks' throwaway database (SQLite, or PostgreSQL with DATABASE_URL)
with the demo content loaded: bare Django answering ``HttpResponse("ok")`` with no middleware
(``tests.bench.bare_ok``: the yardstick), and Ideatori with production settings twice, with
the page cache on (``PAGE_CACHE_SECONDS=600``, local memory per process) and off
(``PAGE_CACHE_SECONDS=0``). Anonymous GETs of the home page, a round, the showcase and an
innovation carry the public host and ``X-Forwarded-Proto: https``, as the load balancer
passes them. Every target is loaded for SECONDS in turn, the whole list ROUNDS times
interleaved, so that a slower minute of this shared machine falls on all of them; the table
shows the medians and each page's ratio to "ok".

Goals: cached ≥ CACHED_GOAL × ok; uncached ≥ UNCACHED_GOAL × ok (five times bakerydemo's home
page, about 0.0092 × ok here). Without ``wrk`` (Debian: ``apt-get install wrk``) the bench
says so and is skipped.
"""

import io
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
HOST = "ideas.example.org"
ROUNDS = 3
SECONDS = 3
CONNECTIONS = 8
CACHED_GOAL = 0.25
UNCACHED_GOAL = 0.046
PAGES = {
    "home": "/en/",
    "round": "/en/competitions/2026/",
    "showcase": "/en/innovations/",
    # "innovation": the first English innovation of the demo.
}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(base: str, path: str) -> tuple[int, str]:
    request = urllib.request.Request(
        base + path, headers={"Host": HOST, "X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return response.status, response.read().decode()


def _wait(base: str, path: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(base, path)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _wrk(url: str, seconds: int) -> float:
    """Requests per second; an answer that is not a 2xx, or none in 10 s, fails the bench."""
    result = subprocess.run(  # noqa: S603
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]  # noqa: S607
        + ["-H", f"Host: {HOST}", "-H", "X-Forwarded-Proto: https", url],
        check=True,
        capture_output=True,
        text=True,
    )
    if "Non-2xx or 3xx" in result.stdout or "Socket errors" in result.stdout:
        raise RuntimeError(f"wrk {url}: errors\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def _database_url(settings_dict: dict) -> str:
    """The benchmarks' throwaway database, for the servers."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


def _prepare(work: Path, env: dict) -> dict[str, str]:
    """The demo content in the benchmarks' database, the site at the public address, and the
    static files (production's manifest); returns the pages to load."""
    from django.core.management import call_command
    from wagtail.models import Locale

    from home.addresses import set_site_address
    from ideas.models import InnovationPage

    static = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
    )
    call_command("load_demo", stdout=io.StringIO())
    set_site_address(f"https://{HOST}")
    if static.wait() != 0:
        raise RuntimeError("collectstatic failed")
    innovation = (
        InnovationPage.objects.live()
        .public()
        .filter(locale=Locale.objects.get(language_code="en"))
        .first()
    )
    if innovation is None:
        raise RuntimeError("the demo has no innovation page")
    return PAGES | {"innovation": innovation.url}


def run() -> int:
    print(f"load: wrk -c{CONNECTIONS} against gunicorn -w 2, {ROUNDS} interleaved rounds")
    if shutil.which("wrk") is None:
        print("  SKIPPED: wrk is not installed (Debian: apt-get install wrk)")
        return 0
    from django.db import connection

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="ideatori-load-"))
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "IDEATORI_S3", "PAGE_CACHE"))
    } | {
        "DJANGO_SETTINGS_MODULE": "ideatori.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SITE_URL": f"https://{HOST}",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": _database_url(connection.settings_dict),
    }
    servers: list[subprocess.Popen] = []
    try:
        pages = _prepare(work, env)
        bases = {}
        config = work / "gunicorn.conf.py"
        config.write_text("# Gunicorn's defaults.\n")
        for name, app, extra in (
            ("ok", "tests.bench.bare_ok:application", {}),
            ("cached", "ideatori.wsgi:application", {"PAGE_CACHE_SECONDS": "600"}),
            ("uncached", "ideatori.wsgi:application", {"PAGE_CACHE_SECONDS": "0"}),
        ):
            port = _free_port()
            with (work / f"{name}.log").open("wb") as log:
                servers.append(
                    subprocess.Popen(  # noqa: S603
                        # Not the project's gunicorn.conf.py (gunicorn reads it from the
                        # folder by default): its access log and its recycling of a process
                        # every 1,000 requests would be measured too.
                        [gunicorn, "-c", str(config), "-w", "2", "-b", f"127.0.0.1:{port}", app],
                        env=env | extra,
                        cwd=ROOT,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            bases[name] = f"http://127.0.0.1:{port}"
        print(f"  ready in {time.monotonic() - started:.0f} s (demo content, static files)")
        _wait(bases["ok"], "/ok")
        _wait(bases["cached"], "/healthz")
        _wait(bases["uncached"], "/healthz")

        targets = [("ok", bases["ok"] + "/ok")]
        for mode in ("cached", "uncached"):
            for page, path in pages.items():
                status, body = _get(bases[mode], path)
                if status != 200 or "<h1" not in body:
                    raise RuntimeError(f"{mode} {path} answered {status}")
                targets.append((f"{page} {mode}", bases[mode] + path))
        for _label, url in targets:
            _wrk(url, 1)  # warm every worker's cache and imports
        rates: dict[str, list[float]] = {label: [] for label, _url in targets}
        for _round in range(ROUNDS):
            for label, url in targets:
                rates[label].append(_wrk(url, SECONDS))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(work, ignore_errors=True)

    ok = statistics.median(rates["ok"])
    print(f"  {'target':<22}{'req/s (median)':>15}{'rounds':>26}{'× ok':>8}  goal")
    missed = 0
    for label, values in rates.items():
        median = statistics.median(values)
        ratio = median / ok
        rounds = " ".join(f"{value:7.0f}" for value in values)
        if label == "ok":
            goal = ""
        else:
            target = CACHED_GOAL if label.endswith(" cached") else UNCACHED_GOAL
            met = ratio >= target
            missed += not met
            goal = f"≥ {target} {'met' if met else 'MISSED'}"
        print(f"  {label:<22}{median:15.0f}{rounds:>26}{ratio:8.3f}  {goal}")
    print(f"  ({time.monotonic() - started:.0f} s)")
    return missed
