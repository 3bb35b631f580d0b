"""The outbox: every e-mail the site sends is kept here until the mail server has taken it.

``OutboxBackend`` is the site's ``EMAIL_BACKEND``: ``send_mail`` anywhere (ours, allauth's,
Wagtail's) stores the message in the same transaction as whatever caused it and asks the
background worker to deliver it; no web request ever waits for the mail server. Delivery
goes through ``IDEATORI_EMAIL_TRANSPORT`` (SMTP in production) with ``EMAIL_TIMEOUT``.

The rules of delivery:

1. A message is tried as soon as the worker reaches it.
2. A temporary failure — the server refuses the connection, does not answer in time, drops
   the line, or answers with a 4xx code — is retried after 1, 2, 4 … minutes (at most an
   hour apart) until ``IDEATORI_OUTBOX_RETRY_HOURS`` (48) after the message was queued; then
   it is marked failed.
3. A permanent refusal (a 5xx code, e.g. an address the server does not know) marks the
   message failed at once, with the reason.
4. A message is delivered once: a worker claims it before sending (one conditional UPDATE),
   and a message already sent is never tried again.
5. When a message is delivered, the record it tells of (its ``receipt``: a reminder, a notice)
   gets its ``sent_at``; a reminder that never went out is never marked sent.
6. Administrators see pending and failed messages in the admin and can send them again; so
   can ``manage.py retry_outbox``. No body is ever written to a log.
"""

import logging
import pickle
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
# Longer than any send can take (EMAIL_TIMEOUT per step of the SMTP conversation).
CLAIM_LEASE = timedelta(minutes=10)


def retry_window() -> timedelta:
    return timedelta(hours=settings.IDEATORI_OUTBOX_RETRY_HOURS)


class OutboxBackend(BaseEmailBackend):
    """Keeps each message in the outbox and asks the worker to deliver it."""

    def send_messages(self, email_messages) -> int:
        stored = [queue(message) for message in email_messages if message.recipients()]
        return len(stored)


def queue(message, *, receipt=None, now: datetime | None = None) -> OutboxMessage:
    """Store one ``EmailMessage``; delivery is asked for once the transaction commits."""
    now = now or timezone.now()
    receipt = receipt if receipt is not None else getattr(message, "receipt", None)
    message.connection = None
    if hasattr(message, "receipt"):
        del message.receipt
    row = OutboxMessage.objects.create(
        recipients=list(message.recipients()),
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        subject=str(message.subject)[:998],
        message=pickle.dumps(message),
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + retry_window(),
        receipt_type=ContentType.objects.get_for_model(receipt) if receipt is not None else None,
        receipt_id=receipt.pk if receipt is not None else None,
    )
    transaction.on_commit(lambda: ask_for_delivery(row))
    return row


def ask_for_delivery(row: OutboxMessage) -> None:
    """Enqueue the delivery task, after ``row.next_attempt_at`` where the queue can wait.

    Where it cannot (the immediate backend of development and tests) a retry is left to the
    scheduled sweep."""
    waits = row.next_attempt_at > timezone.now()
    if waits and not default_task_backend.supports_defer:
        return
    runner = deliver_message.using(run_after=row.next_attempt_at) if waits else deliver_message
    try:
        runner.enqueue(row.pk)
    except Exception:
        # The sweep delivers what could not be enqueued; the message itself is kept.
        logger.exception("Could not enqueue the delivery of outbox message %s", row.pk)


@task()
def deliver_message(message_id: int) -> str:
    return deliver(message_id)


def deliver_due(*, now: datetime | None = None) -> int:
    """Try every message whose time has come (the scheduled sweep). Returns how many went."""
    now = now or timezone.now()
    sent = 0
    due = OutboxMessage.objects.due(now).order_by("next_attempt_at", "pk")
    for message_id in due.values_list("pk", flat=True)[:500]:
        sent += deliver(message_id, now=now) == OutboxStatus.SENT
    return sent


def deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Try one message once, if it is still due; returns its status afterwards.

    The message is claimed by one conditional UPDATE that moves its next attempt past the time
    a send can take, so that two workers never both send it and no transaction stays open
    while the mail server is talked to; a worker that dies mid-send leaves it to be tried
    again once the claim has lapsed."""
    now = now or timezone.now()
    claim = now + CLAIM_LEASE
    if not OutboxMessage.objects.due(now).filter(pk=message_id).update(next_attempt_at=claim):
        return "skipped"
    row = OutboxMessage.objects.get(pk=message_id)
    error, permanent = send_stored(row)
    row.attempts += 1
    with transaction.atomic():
        if error is None:
            row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, ""
            row.save(update_fields=["status", "sent_at", "last_error", "attempts"])
            mark_receipt(row, now)
            return row.status
        row.last_error = error[:2000]
        wait = min(FIRST_RETRY * 2 ** min(row.attempts - 1, 12), LONGEST_WAIT)
        if permanent or now + wait > row.give_up_at:
            row.status, row.next_attempt_at = OutboxStatus.FAILED, now
        else:
            row.next_attempt_at = now + wait
        row.save(update_fields=["status", "next_attempt_at", "last_error", "attempts"])
    logger.warning(
        "E-mail %s to %d recipient(s) not delivered (attempt %d, %s): %s",
        row.pk,
        len(row.recipients),
        row.attempts,
        "given up" if row.status == OutboxStatus.FAILED else "will retry",
        row.last_error,
    )
    if row.status == OutboxStatus.PENDING:
        ask_for_delivery(row)
    return row.status


def send_stored(row: OutboxMessage) -> tuple[str | None, bool]:
    """Hand the message to the transport: (None, _) when taken, else (the error, permanent)."""
    message = pickle.loads(bytes(row.message))  # noqa: S301 - written by queue() only
    try:
        transport = get_connection(
            settings.IDEATORI_EMAIL_TRANSPORT,
            fail_silently=False,
            timeout=settings.EMAIL_TIMEOUT,
        )
        transport.send_messages([message])
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _reason in refused.recipients.values()]
        return describe(refused), all(code >= 500 for code in codes)
    except smtplib.SMTPResponseException as answer:
        return describe(answer), answer.smtp_code >= 500
    except (TimeoutError, smtplib.SMTPException, OSError) as failure:
        return describe(failure), False
    return None, False


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def mark_receipt(row: OutboxMessage, now: datetime) -> None:
    if row.receipt_type_id is None:
        return
    model = ContentType.objects.get_for_id(row.receipt_type_id).model_class()
    if model is not None:
        model.objects.filter(pk=row.receipt_id, sent_at__isnull=True).update(sent_at=now)


@transaction.atomic
def retry(*, messages, now: datetime | None = None) -> int:
    """Send failed or waiting messages again now, with a fresh retry window."""
    now = now or timezone.now()
    rows = list(messages.exclude(status=OutboxStatus.SENT))
    for row in rows:
        row.status, row.next_attempt_at, row.give_up_at = (
            OutboxStatus.PENDING,
            now,
            now + retry_window(),
        )
        row.save(update_fields=["status", "next_attempt_at", "give_up_at"])
        transaction.on_commit(lambda row=row: ask_for_delivery(row))
    return len(rows)
