from django.core.management.base import BaseCommand

from ideas.notifications import send_deadline_reminders


class Command(BaseCommand):
    help = "Remind teams with unsubmitted drafts two days before the deadline. Safe to rerun."

    def handle(self, *args, **options):
        reminded = send_deadline_reminders()
        self.stdout.write(f"Teams reminded: {reminded}")
