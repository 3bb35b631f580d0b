"""A container's health check for the worker or the scheduler: exit 1 unless a process of
that kind said it was alive within ``--max-age`` seconds."""

import sys

from django.core.management.base import BaseCommand

from home.heartbeat import SCHEDULER, WORKER, last_seen


class Command(BaseCommand):
    help = "Exit 0 if a worker (or the scheduler) has written its heartbeat lately, else 1."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[WORKER, SCHEDULER])
        parser.add_argument("--max-age", type=float, default=120.0)

    def handle(self, *args, kind: str, max_age: float, **options):
        age = last_seen(kind)
        if age is None:
            self.stderr.write(f"No {kind} has ever written its heartbeat.")
            sys.exit(1)
        seconds = age.total_seconds()
        if seconds > max_age:
            self.stderr.write(f"The {kind} was last seen {seconds:.0f} s ago.")
            sys.exit(1)
        self.stdout.write(f"{kind}: last seen {seconds:.0f} s ago")
