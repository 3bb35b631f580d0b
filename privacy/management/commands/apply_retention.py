from django.core.management.base import BaseCommand

from privacy.services import apply_retention


class Command(BaseCommand):
    help = (
        "Remove unawarded ideas (with files, revisions and reviews) of rounds whose results are "
        "older than RETENTION_IDEA_YEARS, e-mails older than RETENTION_EMAIL_DAYS. Safe to rerun."
    )

    def handle(self, *args, **options):
        report = apply_retention()
        self.stdout.write(
            f"Ideas removed: {report.ideas}, files removed: {report.files}, "
            f"e-mails removed: {report.emails}"
        )
