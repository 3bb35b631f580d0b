"""Public pages with and without the page cache, and what the memo of ``home.memo`` (the
request's, and what is kept for the site's edition) is worth.

Each figure is the median time of REPEAT anonymous GETs through the whole middleware stack
(Django's test client, in process, the demo content), with the queries of one request:
- "uncached": the page cache off, as shipped;
- "cached": the page cache on, every request a hit;
- "no memo": uncached, with no memo: each helper reads the restrictions itself, and nothing
  is kept for the site's edition (the site, its settings, the navigation, the route, the
  home page's and the showcase's lists are read on every request).
"""

import statistics
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from ideas.models import CompetitionPage, InnovationPage

REPEAT = 15
ROUNDS = 3
HOST = "127.0.0.1:8000"


def timed(client: Client, address: str) -> tuple[float, int]:
    client.get(address)  # warm: the first request fills the cache when it is on
    queries = []
    # Counted by a wrapper: Django empties connection.queries when a request starts.
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        response = client.get(address)
    assert response.status_code == 200, (address, response.status_code)
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        client.get(address)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, len(queries)


def addresses() -> dict[str, str]:
    competition = CompetitionPage.objects.live().filter(locale__language_code="en").first()
    innovation = InnovationPage.objects.live().filter(locale__language_code="en").first()
    return {
        "home": "/en/",
        "round": competition.url,
        "showcase": "/en/innovations/",
        "innovation": innovation.url,
    }


def run() -> int:
    call_command("load_demo", verbosity=0)
    pages = addresses()
    no_memo = [m for m in settings.MIDDLEWARE if m != "home.memo.RequestMemoMiddleware"]
    origin = f"http://{HOST}"
    variants = {
        "uncached": {"IDEATORI_PAGE_CACHE_SECONDS": 0},
        "cached": {"IDEATORI_PAGE_CACHE_SECONDS": 600, "IDEATORI_SITE_URL": origin},
        "no memo": {"IDEATORI_PAGE_CACHE_SECONDS": 0, "MIDDLEWARE": no_memo},
    }
    results = {variant: {page: [] for page in pages} for variant in variants}
    queries = {}
    # Interleaved rounds, so that a busy moment of the machine touches every variant alike.
    for _round in range(ROUNDS):
        for variant, overrides in variants.items():
            with override_settings(ALLOWED_HOSTS=["*"], **overrides):
                # A client of its own: a client's handler reads MIDDLEWARE once.
                client = Client(HTTP_HOST=HOST)
                for page, address in pages.items():
                    ms, count = timed(client, address)
                    results[variant][page].append(ms)
                    queries[variant, page] = count
    print(f"\npublic pages: ms, median of {ROUNDS} rounds of {REPEAT} GETs (queries a request)")
    print(f"{'':18}" + "".join(f"{name:>16}" for name in pages))
    for variant in variants:
        cells = [
            f"{statistics.median(results[variant][page]):>10.1f} ({queries[variant, page]:>2})"
            for page in pages
        ]
        print(f"{variant:18}" + "".join(cells))
    return 0
