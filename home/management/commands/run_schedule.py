"""The scheduler: runs each periodic job at its time (``home.schedule``), for ever.

Safe to run on several machines at once (each job runs once per slot), and it outlives its
database: when the database errs it waits (1, 2, 4 … up to 60 s) and tries again.
"""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections

from home.heartbeat import SCHEDULER, beat, process_name
from home.schedule import run_due

logger = logging.getLogger("home.schedule")
LONGEST_WAIT = 60.0


class Command(BaseCommand):
    help = "Run the periodic jobs (reminders, opening judging, the outbox, pruning) at their times."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=20.0, help="seconds between looks")
        parser.add_argument("--once", action="store_true", help="run what is due now and stop")

    def handle(self, *args, interval: float, once: bool, **options):
        name = process_name(SCHEDULER)
        stopping = []
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, lambda *_: stopping.append(True))
        wait = 1.0
        while not stopping:
            try:
                close_old_connections()
                beat(SCHEDULER, process=name)
                for job in run_due():
                    logger.info("Ran %s", job)
                wait = 1.0
                pause = interval
            except DatabaseError as error:
                logger.warning("The database is away (%s); trying again in %.0f s", error, wait)
                connections.close_all()
                pause, wait = wait, min(wait * 2, LONGEST_WAIT)
            if once:
                return
            for _ in range(int(pause * 10)):
                if stopping:
                    break
                time.sleep(0.1)
