"""Background processes say they are alive: a row per process, read by ``/healthz`` and by
``manage.py check_heartbeat`` (the worker's and the scheduler's container health checks)."""

import os
import socket
from datetime import datetime, timedelta

from django.utils import timezone

from .models import Heartbeat

WORKER, SCHEDULER = "worker", "scheduler"


def process_name(kind: str) -> str:
    return f"{kind}@{socket.gethostname()}:{os.getpid()}"


def beat(kind: str, *, process: str | None = None, now: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(
        process=process or process_name(kind),
        defaults={"kind": kind, "seen_at": now or timezone.now()},
    )


def last_seen(kind: str, *, now: datetime | None = None) -> timedelta | None:
    """How long ago any process of this kind last said it was alive; None if never."""
    latest = (
        Heartbeat.objects.filter(kind=kind).order_by("-seen_at").values_list("seen_at", flat=True)
    ).first()
    return None if latest is None else (now or timezone.now()) - latest
