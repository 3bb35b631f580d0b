"""Copy the files of the file-system stores into the buckets that now hold them.

Run once when moving to object storage (``IDEATORI_S3_PRIVATE_BUCKET``,
``IDEATORI_S3_PUBLIC_BUCKET``), and again safely: what is already there is left alone.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError

from home.storage import ATTACHMENTS, MEDIA, STORE_ERRORS, copy_folder


class Command(BaseCommand):
    help = (
        "Copy attachments and public media from their folders on this machine to the "
        "configured buckets, keeping every name; files already there are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--attachments-from",
            type=Path,
            default=settings.IDEATORI_PRIVATE_MEDIA_ROOT,
            help="the attachments' folder (default: DJANGO_PRIVATE_MEDIA_ROOT's)",
        )
        parser.add_argument(
            "--media-from",
            type=Path,
            default=settings.MEDIA_ROOT,
            help="the public media's folder (default: DJANGO_MEDIA_ROOT's)",
        )

    def handle(self, *args, attachments_from: Path, media_from: Path, **options):
        for alias, label, source in (
            (ATTACHMENTS, "attachments", attachments_from),
            (MEDIA, "media", media_from),
        ):
            target = storages[alias]
            if isinstance(target, FileSystemStorage):
                self.stdout.write(f"{label}: kept in the folder {target.location}; no bucket set.")
                continue
            if not source.is_dir():
                self.stdout.write(f"{label}: no folder {source}; nothing to copy.")
                continue
            try:
                report = copy_folder(source, target)
            except STORE_ERRORS as error:
                raise CommandError(f"{label}: the bucket does not answer: {error}") from error
            for name in report.copied:
                self.stdout.write(f"{label}: copied {name}")
            for name in report.differing:
                self.stderr.write(f"{label}: {name} differs in the bucket; left as it is there")
            self.stdout.write(
                f"{label}: {len(report.copied)} copied, {len(report.already_there)} already "
                f"there, {len(report.differing)} different, from {source}"
            )
