"""The administrator reads the audit trail in a real browser: a nurse's failed and successful
sign-ins are there with the browser's address, the action filter narrows the list, the CSV
export downloads what is shown; axe finds no WCAG 2.1 A/AA violation on the way."""

import csv
import io

from playwright.sync_api import expect

from home import audit
from home.models import AuditEntry
from tests.e2e.accounts import account, sign_in
from tests.e2e.test_design import SHOTS


def test_administrator_filters_and_exports_the_audit_trail(page, axe_check):
    SHOTS.mkdir(parents=True, exist_ok=True)
    account("admin@example.org", is_superuser=True, is_staff=True)
    account("nurse@example.org")

    page.goto("/en/accounts/login/")
    page.fill("input[name=login]", "nurse@example.org")
    page.fill("input[name=password]", "not her password")
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    sign_in(page, "nurse@example.org")
    page.context.clear_cookies()
    sign_in(page, "admin@example.org")

    page.goto("/admin/")
    page.get_by_role("button", name="Reports").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Audit trail").click()
    table = page.locator("main table")
    text = table.inner_text()
    assert "Failed to sign in as “nurse@example.org”" in text
    assert text.count("Signed in") == 2 and "127.0.0.1" in text
    axe_check(page)
    page.screenshot(path=str(SHOTS / "audit-trail.png"), full_page=True)

    page.get_by_role("button", name="Show filters").click()
    page.get_by_role("button", name="Action", exact=True).click()
    page.get_by_label("Fail to sign in").check()
    # The filter refreshes the table in the background: wait for the refreshed one.
    table = page.locator("main table")
    expect(table).not_to_contain_text("Signed in")
    expect(table).to_contain_text("Failed to sign in as “nurse@example.org”")
    filtered = table.inner_text()
    assert "Failed to sign in as “nurse@example.org”" in filtered and "Signed in" not in filtered
    axe_check(page)
    page.screenshot(path=str(SHOTS / "audit-trail-filtered.png"), full_page=True)

    page.keyboard.press("Escape")
    page.locator("header").get_by_role("button", name="Actions", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][:5] == ["Date/Time", "User", "Address", "Action type", "What"]
    assert [(row[2], row[7]) for row in rows[1:]] == [("127.0.0.1", "nurse@example.org")]
    assert AuditEntry.objects.filter(action=audit.EXPORTED, data__table="audit").count() == 1
