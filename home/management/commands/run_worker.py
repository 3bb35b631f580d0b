"""The background worker that outlives its database.

django-tasks-db's worker stops when PostgreSQL goes away. This one runs the same worker and,
when the database errs, closes the connection, waits (1, 2, 4 … up to 60 s) and starts over;
a thread writes the heartbeat every ``--heartbeat`` seconds, and keeps trying while the
database is away.
"""

import logging
import threading
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from home.heartbeat import WORKER, beat, process_name

logger = logging.getLogger("home.worker")
LONGEST_WAIT = 60.0


class Command(BaseCommand):
    help = "Run the background worker, reconnecting when the database goes away."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--heartbeat", type=float, default=10.0, help="seconds between beats")

    def handle(self, *args, interval: float, heartbeat: float, **options):
        name = process_name(WORKER)
        threading.Thread(target=keep_beating, args=(name, heartbeat), daemon=True).start()
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=True,
            max_tasks=None,
            worker_id=name,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        wait = 1.0
        while worker.running:
            try:
                worker.run()
                return
            except DatabaseError as error:
                logger.warning("The database is away (%s); trying again in %.0f s", error, wait)
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)
            else:
                wait = 1.0


def keep_beating(name: str, every: float) -> None:
    while True:
        try:
            close_old_connections()
            beat(WORKER, process=name)
        except DatabaseError as error:
            logger.warning("Heartbeat not written: %s", error)
            connections.close_all()
        time.sleep(every)
