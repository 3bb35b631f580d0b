"""The audit trail: sign-ins, failed sign-ins and sign-outs recorded through the real sign-in
form (who, when, from which address, what); the address from X-Forwarded-For only behind a
trusted proxy; entries nobody changes or deletes; the administrators' view with its filters
and export; and a trail that never breaks what it records."""

import csv
import io
import json
import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.log_actions import registry as log_actions
from wagtail.models import ModelLogEntry, PageLogEntry

from home import audit
from home.models import AuditEntry, AuditEntryRefused
from home.permissions import can_view_audit_trail
from tests.factories import UserFactory
from tests.home.test_accounts import PASSWORD, verified_user

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
CLIENT = "203.0.113.66"


@pytest.fixture(autouse=True)
def behind_the_load_balancer(settings):
    settings.IDEATORI_TRUSTED_PROXIES = ["10.0.0.0/24"]


def through_proxy(address: str = CLIENT) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.1, {address}")


def sign_in(browser: Client, login: str, password: str = PASSWORD):
    return browser.post("/en/accounts/login/", {"login": login, "password": password})


def only_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


# --- sign-ins, failed sign-ins, sign-outs ------------------------------------------------------


def test_a_sign_in_through_the_form_is_recorded_with_the_client_behind_the_proxy():
    nurse = verified_user("nurse@example.org")
    browser = through_proxy()
    before = timezone.now()

    response = sign_in(browser, "nurse@example.org")

    assert response.status_code == 302 and "_auth_user_id" in browser.session
    entry = only_entry(audit.SIGNED_IN)
    assert entry.user_id == nurse.pk
    assert entry.address == CLIENT  # the client the trusted proxy named, not the proxy
    assert before <= entry.timestamp <= timezone.now()
    assert (entry.content_type.model_class(), entry.object_id) == (type(nurse), str(nurse.pk))
    assert entry.data == {"methods": ["password"]}
    assert entry.message == "Signed in with password"


def test_from_an_untrusted_peer_x_forwarded_for_is_not_believed():
    verified_user("nurse@example.org")
    browser = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.99")

    sign_in(browser, "nurse@example.org")

    assert only_entry(audit.SIGNED_IN).address == "192.0.2.50"


def test_a_failed_sign_in_records_the_attempted_login_and_never_the_password():
    verified_user("nurse@example.org")
    browser = through_proxy()

    sign_in(browser, "nurse@example.org", "Wrong-Secret-Password-1")
    sign_in(browser, "nobody@example.org", "Another-Secret-2")

    assert "_auth_user_id" not in browser.session
    entries = AuditEntry.objects.filter(action=audit.SIGN_IN_FAILED).order_by("pk")
    assert [e.data["login"] for e in entries] == ["nurse@example.org", "nobody@example.org"]
    assert {(e.user_id, e.address, e.label) for e in entries} == {
        (None, CLIENT, "nurse@example.org"),
        (None, CLIENT, "nobody@example.org"),
    }
    assert entries[0].message == "Failed to sign in as “nurse@example.org”"
    stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "Wrong-Secret-Password-1" not in stored and "Another-Secret-2" not in stored
    assert not AuditEntry.objects.filter(action=audit.SIGNED_IN).exists()


def test_a_sign_out_is_recorded():
    nurse = verified_user("nurse@example.org")
    browser = through_proxy()
    sign_in(browser, "nurse@example.org")

    response = browser.post("/en/accounts/logout/")

    assert response.status_code == 302 and "_auth_user_id" not in browser.session
    entry = only_entry(audit.SIGNED_OUT)
    assert (entry.user_id, entry.address, entry.object_id) == (nurse.pk, CLIENT, str(nurse.pk))


# --- nobody changes or deletes an entry ---------------------------------------------------------


@pytest.fixture
def entry():
    verified_user("nurse@example.org")
    sign_in(through_proxy(), "nurse@example.org", "wrong")
    return only_entry(audit.SIGN_IN_FAILED)


def test_the_model_refuses_to_change_or_delete_an_entry(entry):
    entry.label = "someone else"
    with pytest.raises(AuditEntryRefused):
        entry.save()
    with pytest.raises(AuditEntryRefused):
        entry.delete()
    with pytest.raises(AuditEntryRefused):
        AuditEntry.objects.filter(pk=entry.pk).update(label="someone else")
    with pytest.raises(AuditEntryRefused):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.get(pk=entry.pk).label == "nurse@example.org"


def test_the_database_refuses_to_change_an_entry_whoever_asks(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE home_auditentry SET label = 'forged', address = '192.0.2.1'")

    assert AuditEntry.objects.get(pk=entry.pk).label == "nurse@example.org"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's guard refuses UPDATE")
def test_postgresql_refuses_to_delete_an_entry(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM home_auditentry")

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def all_views():
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern

    return list(walk(get_resolver().url_patterns))


def test_no_url_offers_to_edit_or_delete_a_log_entry():
    log_models = {AuditEntry, ModelLogEntry, PageLogEntry}
    serving_log_models = []
    for pattern in all_views():
        callback = pattern.callback
        view_class = getattr(callback, "view_class", None)
        model = getattr(callback, "view_initkwargs", {}).get("model") or getattr(
            view_class, "model", None
        )
        if model in log_models:
            serving_log_models.append(str(pattern.pattern))
    assert serving_log_models == []
    # The audit trail is a report: it lists and exports, it takes no POST.
    assert {str(p.pattern) for p in all_views() if p.name and "audit_trail" in p.name} == {
        "reports/audit-trail/",
        "reports/audit-trail/results/",
    }


@pytest.mark.parametrize("who", ["editor", "coordinator"])
def test_an_editor_or_coordinator_neither_reads_nor_changes_the_trail(
    client, entry, who, editor, coordinator
):
    client.force_login({"editor": editor, "coordinator": coordinator}[who])

    listing = client.get(reverse("audit_trail"))
    results = client.get(reverse("audit_trail_results"))
    export = client.get(reverse("audit_trail") + "?export=csv")
    posted = client.post(reverse("audit_trail"), {"label": "forged"})
    history = client.get(reverse("wagtailadmin_reports:site_history"))

    for response in (listing, results, export, posted):
        assert response.status_code in (302, 403)
        assert b"nurse@example.org" not in response.content
    assert history.status_code == 200
    assert "nurse@example.org" not in history.content.decode()
    assert AuditEntry.objects.get(pk=entry.pk).label == "nurse@example.org"


# --- the administrators' view -----------------------------------------------------------------


@pytest.mark.parametrize(
    "who, allowed",
    [("administrator", True), ("coordinator", False), ("editor", False), ("anonymous", False)],
)
def test_only_administrators_may_read_the_trail(who, allowed, administrator, coordinator, editor):
    from django.contrib.auth.models import AnonymousUser

    users = {
        "administrator": administrator,
        "coordinator": coordinator,
        "editor": editor,
        "anonymous": AnonymousUser(),
    }
    assert can_view_audit_trail(users[who]) is allowed


def test_an_inactive_administrator_may_not_read_the_trail(administrator):
    administrator.is_active = False
    assert can_view_audit_trail(administrator) is False


def seed_trail(count: int):
    """``count`` failed sign-ins from different addresses, and one sign-in."""
    verified_user("nurse@example.org")
    for number in range(count):
        sign_in(through_proxy(f"203.0.113.{number + 1}"), f"guess-{number}@example.org", "x")
    sign_in(through_proxy("198.51.100.7"), "nurse@example.org")


def test_the_administrator_reads_the_trail_with_addresses(client, administrator):
    seed_trail(2)
    client.force_login(administrator)

    html = client.get(reverse("audit_trail")).content.decode()
    history = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()

    assert "Failed to sign in as “guess-1@example.org”" in history  # Wagtail's own report too
    assert "Failed to sign in as “guess-1@example.org”" in html
    assert "203.0.113.2" in html and "198.51.100.7" in html
    assert "Signed in" in html
    assert "Audit trail" in html


def test_the_trail_filters_by_action_address_user_date_and_type(client, administrator):
    seed_trail(3)
    signed_in = AuditEntry.objects.get(action=audit.SIGNED_IN)
    nurse, user_type = signed_in.user, signed_in.content_type_id
    client.force_login(administrator)
    results = reverse("audit_trail_results")

    failed = client.get(results, {"action": audit.SIGN_IN_FAILED}).content.decode()
    by_address = client.get(results, {"address": "203.0.113.2"}).content.decode()
    by_user = client.get(results, {"user": nurse.pk}).content.decode()
    by_type = client.get(results, {"object_type": user_type}).content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    by_date = client.get(results, {"timestamp_from": tomorrow}).content.decode()

    assert failed.count("Failed to sign in as") == 3 and "198.51.100.7" not in failed
    assert "guess-1@example.org" in by_address and "guess-0@" not in by_address
    assert "198.51.100.7" in by_user and "guess-" not in by_user
    assert "198.51.100.7" in by_type and "guess-" not in by_type
    assert "No audit entries found." in by_date


def test_the_trail_exports_as_csv_and_xlsx_and_records_the_export(client, administrator):
    from openpyxl import load_workbook

    seed_trail(1)
    sign_in(through_proxy(), "=sum@example.org", "x")
    client.force_login(administrator)

    response = client.get(
        reverse("audit_trail"), {"export": "csv", "action": "ideatori.sign_in_failed"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    workbook = b"".join(client.get(reverse("audit_trail"), {"export": "xlsx"}).streaming_content)

    assert rows[0] == ["Date/Time", "User", "Address", "Action type", "What", "Type", "ID", "Name"]
    assert sorted(row[7] for row in rows[1:]) == ["'=sum@example.org", "guess-0@example.org"]
    assert {row[2] for row in rows[1:]} == {"203.0.113.1", CLIENT}
    sheet = load_workbook(io.BytesIO(workbook)).active
    assert "198.51.100.7" in [cell.value for cell in sheet["C"]]
    exports = AuditEntry.objects.filter(action=audit.EXPORTED).order_by("pk")
    assert [(e.user_id, e.data["table"], e.data["format"]) for e in exports] == [
        (administrator.pk, "audit", "csv"),
        (administrator.pk, "audit", "xlsx"),
    ]
    assert exports[0].data["filters"] == {"action": ["ideatori.sign_in_failed"]}


def test_the_trail_is_in_the_reports_menu_of_administrators_only(
    client, administrator, coordinator
):
    client.force_login(administrator)
    assert reverse("audit_trail") in client.get("/admin/").content.decode()
    client.force_login(coordinator)
    assert reverse("audit_trail") not in client.get("/admin/").content.decode()


def test_wagtail_log_entries_such_as_erasures_show_in_the_same_view(client, administrator):
    """The data-subject work logs erasures through wagtail.log_actions.log (its own model)."""
    erased = "ideatori.person_erased"
    registered_here = not log_actions.action_exists(erased)
    if registered_here:
        log_actions.register_action(erased, "Erase a person", "Person erased")
    try:
        person = UserFactory(username="erased-person")
        log_actions.log(instance=person, action=erased, user=administrator)
        client.force_login(administrator)

        html = client.get(reverse("audit_trail_results"), {"action": erased}).content.decode()
    finally:
        if registered_here:
            del log_actions.formatters[erased]
            log_actions.choices.remove((erased, "Erase a person"))

    assert "Person erased" in html and "erased-person" in html


def test_the_trail_reads_the_same_number_of_queries_for_1_and_10_entries(
    client, administrator, count_queries
):
    def seed(first: int, count: int) -> None:
        for number in range(first, first + count):
            person = UserFactory(username=f"person-{number}")
            sign_in(through_proxy(f"203.0.113.{number + 1}"), f"guess-{number}@example.org", "x")
            audit.record(action=audit.SIGNED_IN, user=person, instance=person)
            ModelLogEntry.objects.log_action(person, "wagtail.edit", user=person)

    client.force_login(administrator)
    seed(0, 1)
    client.get(reverse("audit_trail"))  # content types and the admin's menus cached
    one = count_queries(lambda: client.get(reverse("audit_trail")))
    seed(1, 9)
    ten = count_queries(lambda: client.get(reverse("audit_trail")))

    assert AuditEntry.objects.filter(action=audit.SIGN_IN_FAILED).count() == 10
    assert one == ten


# --- the trail never breaks what it records -----------------------------------------------------

REFUSE_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER test_refuse BEFORE INSERT ON home_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'disk full'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER test_refuse BEFORE INSERT ON home_auditentry "
        "FOR EACH ROW EXECUTE FUNCTION test_refuse()",
    ],
}


@pytest.fixture
def inserts_refused():
    """The database refuses every new audit entry (undone with the test's transaction)."""
    with connection.cursor() as cursor:
        for statement in REFUSE_INSERTS[connection.vendor]:
            cursor.execute(statement)


def test_a_sign_in_goes_on_when_its_entry_cannot_be_written(inserts_refused, caplog):
    verified_user("nurse@example.org")
    browser = through_proxy()

    with caplog.at_level(logging.ERROR, logger="ideatori.audit"):
        response = sign_in(browser, "nurse@example.org")

    assert response.status_code == 302 and "_auth_user_id" in browser.session
    assert not AuditEntry.objects.exists()
    assert "The audit entry ideatori.signed_in could not be written" in caplog.text


def test_an_unregistered_action_is_logged_not_raised(caplog):
    with caplog.at_level(logging.ERROR, logger="ideatori.audit"):
        assert audit.record(action="ideatori.no_such_action") is None

    assert "ideatori.no_such_action" in caplog.text
    assert not AuditEntry.objects.exists()


def test_recording_is_one_insert(rf):
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    request = rf.get("/", REMOTE_ADDR=CLIENT)
    request.user = user
    audit.record(action=audit.SIGNED_IN, request=request, instance=user)  # content type cached

    with CaptureQueriesContext(connection) as captured:
        audit.record(action=audit.SIGNED_IN, request=request, instance=user)

    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    # Inside the test's transaction, as inside any, the INSERT has its own savepoint.
    assert statements.count("INSERT") == 1
    assert set(statements) <= {"INSERT", "SAVEPOINT", "RELEASE"}
    assert AuditEntry.objects.filter(action=audit.SIGNED_IN, address=CLIENT).count() == 2
