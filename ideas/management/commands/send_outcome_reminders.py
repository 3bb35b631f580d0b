from django.core.management.base import BaseCommand

from ideas.notifications import send_outcome_reminders


class Command(BaseCommand):
    help = (
        "Remind coordinators to add outcome updates 6 and 12 months after results. Safe to rerun."
    )

    def handle(self, *args, **options):
        sent = send_outcome_reminders()
        self.stdout.write(f"Outcome reminders sent: {sent}")
