"""The outbox against a real SMTP server (aiosmtpd in this process): nothing is lost while the
server is down, nothing is sent twice when it comes back, a server that never answers holds
no web request, a permanent refusal fails at once and is shown to administrators."""

import email
import re
import socket
import threading
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from home.models import OutboxMessage, OutboxStatus
from home.outbox import deliver, deliver_due
from ideas import notifications, services
from ideas.models import IdeaStatus, ReminderSent
from tests.factories import UserFactory, make_idea, make_round, make_team

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REFUSED = "nobody@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """What the server took: one entry per message, with its envelope and parsed headers."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(parsed["Subject"])))
        body = parsed.get_payload(decode=True).decode()
        self.messages.append((tuple(envelope.rcpt_tos), subject, body))
        return "250 Message accepted"


class SMTPServer:
    def __init__(self, port: int):
        self.port = port
        self.recorder = Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """Production's set-up: the outbox, the SMTP transport to a server on loopback (down
    until started), and tasks queued in the database for the worker."""
    server = SMTPServer(free_port())
    settings.EMAIL_BACKEND = "home.outbox.OutboxBackend"
    settings.IDEATORI_EMAIL_TRANSPORT = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield server
    server.stop()


def run_worker() -> None:
    """The production worker, once through the queue."""
    call_command("db_worker", batch=True, interval=0, verbosity=0)


def test_a_mail_server_down_then_up_loses_nothing_and_sends_nothing_twice(client, smtp):
    lead, member = UserFactory(email="lead@example.org"), UserFactory(email="member@example.org")
    competition = make_round(phase="open")
    team = make_team(lead=lead, members=[member], name="First contact")
    idea = make_idea(team=team, competition=competition, title="Shared hour")
    late = make_round(phase="open")
    late.closes_at = timezone.now() + timedelta(hours=20)
    late.save()
    make_idea(team=make_team(lead=UserFactory(email="drafter@example.org")), competition=late)

    # While the server is down, every web request answers as usual.
    signup = client.post(
        "/en/accounts/signup/",
        {
            "email": "new.person@example.org",
            "password1": "a-long-and-unusual-password-42",
            "password2": "a-long-and-unusual-password-42",
        },
    )
    client.force_login(lead)
    invite = client.post(f"/en/my/teams/{team.pk}/", {"email": "psy@example.org"})
    submit = client.post(
        f"/en/my/ideas/{idea.pk}/", idea.text() | {"version": idea.version, "action": "submit"}
    )
    reminded = notifications.send_deadline_reminders()
    run_worker()

    assert (signup.status_code, invite.status_code, submit.status_code) == (302, 302, 302)
    assert reminded == 1
    pending = OutboxMessage.objects.all()
    assert pending.count() == 5  # the sign-up, the invitation, two receipts, the reminder
    assert set(pending.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    assert all("Connection refused" in row.last_error for row in pending)
    assert ReminderSent.objects.get().sent_at is None
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED

    # The server comes back; the scheduled sweep delivers each message once.
    smtp.start()
    delivered = deliver_due(now=timezone.now() + timedelta(hours=1))
    again = deliver_due(now=timezone.now() + timedelta(hours=2))
    run_worker()

    received = smtp.recorder.messages
    assert (delivered, again) == (5, 0)
    assert len(received) == 5
    by_address = {to[0]: subject for to, subject, _body in received}
    assert by_address["new.person@example.org"].endswith("Please Confirm Your Email Address")
    assert by_address["psy@example.org"] == "Join the team First contact on Ideatori"
    assert by_address["lead@example.org"] == "Received: Shared hour"
    assert by_address["member@example.org"] == "Received: Shared hour"
    assert by_address["drafter@example.org"] == "Two days left to submit your idea"
    assert ReminderSent.objects.get().sent_at is not None
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    # The invitation's link, lost with nothing when the server was down, works now.
    invitation_body = next(body for to, _s, body in received if to == ("psy@example.org",))
    token_path = re.search(r"http://localhost(/en/invitations/\S+/)", invitation_body).group(1)
    client.force_login(UserFactory(email="psy@example.org"))
    assert "Join First contact" in client.get(token_path).content.decode()


def test_a_relay_that_never_answers_holds_no_web_request(client, smtp):
    silent = socket.socket()
    silent.bind(("127.0.0.1", smtp.port))
    silent.listen(5)
    accepted = []

    def take_and_keep():
        while True:
            try:
                connection, _ = silent.accept()
            except OSError:
                return
            accepted.append(connection)  # held open, never answered

    threading.Thread(target=take_and_keep, daemon=True).start()
    try:
        response = client.post(
            "/en/accounts/signup/",
            {
                "email": "new.person@example.org",
                "password1": "a-long-and-unusual-password-42",
                "password2": "a-long-and-unusual-password-42",
            },
        )
        assert response.status_code == 302
        assert accepted == []  # the web request never spoke to the relay
        row = OutboxMessage.objects.get()

        status = deliver(row.pk)

        row.refresh_from_db()
        assert status == OutboxStatus.PENDING
        assert len(accepted) == 1
        assert "timed out" in row.last_error or "TimeoutError" in row.last_error
        assert row.next_attempt_at > timezone.now()
    finally:
        silent.close()
        for connection in accepted:
            connection.close()


def test_a_permanent_refusal_fails_at_once_and_administrators_see_why(client, smtp):
    smtp.start()
    mail.EmailMessage("Hello", "The body text", None, [REFUSED]).send()
    row = OutboxMessage.objects.get()

    assert deliver(row.pk) == OutboxStatus.FAILED
    row.refresh_from_db()
    assert row.attempts == 1 and "550" in row.last_error and "No such user" in row.last_error

    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    listing = client.get("/admin/outbox/?status=failed").content.decode()
    assert "No such user here" in listing and REFUSED in listing
    assert "The body text" not in listing
    coordinator = UserFactory()
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    client.force_login(coordinator)
    denied = client.get("/admin/outbox/")
    assert denied.status_code in {302, 403}
    assert REFUSED not in denied.content.decode()


def test_temporary_failures_back_off_and_give_up_after_48_hours(smtp):
    mail.EmailMessage("Hello", "Body", None, ["someone@example.org"]).send()
    row = OutboxMessage.objects.get()
    waits = []
    now = row.created_at
    while True:
        status = deliver(row.pk, now=now)
        row.refresh_from_db()
        if status == OutboxStatus.FAILED:
            break
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at

    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes[:7] == [1, 2, 4, 8, 16, 32, 60]
    assert set(minutes[7:]) == {60}
    assert row.attempts == len(waits) + 1
    assert now <= row.give_up_at < now + timedelta(hours=1)
    assert row.status == OutboxStatus.FAILED and "Connection refused" in row.last_error


def test_failed_mail_is_sent_again_from_the_admin_by_administrators_only(client, smtp):
    mail.EmailMessage("Hello", "Body", None, ["someone@example.org"]).send()
    row = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=row.pk).update(status=OutboxStatus.FAILED)
    smtp.start()
    client.force_login(UserFactory())
    client.post("/admin/outbox/retry/")
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    confirm = client.get("/admin/outbox/retry/").content.decode()
    client.post("/admin/outbox/retry/")
    run_worker()

    row.refresh_from_db()
    assert "1 e-mail has failed" in confirm
    assert row.status == OutboxStatus.SENT
    assert [to for to, _s, _b in smtp.recorder.messages] == [("someone@example.org",)]


def test_retry_command_sends_failed_mail_again(smtp):
    mail.EmailMessage("Hello", "Body", None, ["someone@example.org"]).send()
    OutboxMessage.objects.update(status=OutboxStatus.FAILED)
    smtp.start()

    call_command("retry_outbox", verbosity=0)
    run_worker()

    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    assert len(smtp.recorder.messages) == 1


def test_no_body_is_written_to_a_log(smtp, caplog):
    mail.EmailMessage("Hello", "Secret idea text", None, ["someone@example.org"]).send()

    with caplog.at_level("DEBUG"):
        deliver(OutboxMessage.objects.get().pk)

    assert "not delivered" in caplog.text
    assert "Secret idea text" not in caplog.text


def test_a_lost_invitation_is_sent_again_with_a_new_link(client, smtp):
    lead = UserFactory()
    team = make_team(lead=lead, name="First contact")
    invitation, old_token = services.invite_member(team=team, email="psy@example.org", by=lead)
    client.force_login(lead)

    response = client.post(f"/en/my/teams/{team.pk}/invitations/{invitation.pk}/resend/")
    smtp.start()
    deliver_due(now=timezone.now() + timedelta(hours=1))

    assert response.status_code == 302
    bodies = [body for to, _s, body in smtp.recorder.messages if to == ("psy@example.org",)]
    assert len(bodies) == 2
    new_path = re.search(r"http://localhost(/en/invitations/\S+/)", bodies[-1]).group(1)
    assert old_token not in new_path
    client.logout()
    assert client.get(f"/en/invitations/{old_token}/").status_code == 404
    assert client.get(new_path).status_code == 200
