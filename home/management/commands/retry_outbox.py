"""Send failed (or waiting) e-mails of the outbox again, with a fresh retry window."""

from django.core.management.base import BaseCommand

from home.models import OutboxMessage, OutboxStatus
from home.outbox import retry


class Command(BaseCommand):
    help = "Send failed e-mails again (all of them, or those given by id)."

    def add_arguments(self, parser):
        parser.add_argument(
            "ids", nargs="*", type=int, help="outbox message ids (default: all failed)"
        )

    def handle(self, *args, ids: list[int], **options):
        messages = (
            OutboxMessage.objects.filter(pk__in=ids)
            if ids
            else (OutboxMessage.objects.filter(status=OutboxStatus.FAILED))
        )
        count = retry(messages=messages)
        self.stdout.write(f"E-mails to send again: {count}")
