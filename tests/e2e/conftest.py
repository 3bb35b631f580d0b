"""Browser tests: Playwright driving the machine's own Chromium against a live server.

Without a Chromium the tests are skipped with a plain message, unless IDEATORI_REQUIRE_BROWSER
is set (as .ci/run sets it), in which case they fail.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told that it is safe, which it is here: one thread, no loop
# tasks touch the database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def find_chromium() -> str | None:
    configured = os.environ.get("IDEATORI_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser(django_db_setup):
    executable = find_chromium()
    if executable is None:
        message = "Browser tests skipped: no Chromium found (install Debian's chromium package)."
        if os.environ.get("IDEATORI_REQUIRE_BROWSER"):
            pytest.fail(message.replace("skipped", "required"), pytrace=False)
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # Once Playwright's event loop runs in this thread, Django hands out connections per
        # async context: new objects that lack the snapshot taken when the test database was
        # made, which each browser test restores after the previous one's flush.
        for alias, snapshot in snapshots.items():
            connections[alias]._test_serialized_contents = snapshot
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def axe_check():
    """Run axe-core on the page and fail with its report on any WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check
