"""Periodic work without cron: one supervised process (``manage.py run_schedule``) runs each job
at its time.

The rules:

1. A job runs every N minutes, or daily at a Helsinki wall-clock time. Its *slot* is the most
   recent moment it was due (the N-minute period, or the day whose time has passed), so a
   scheduler that was down catches up once, not once per missed slot.
2. A job runs once per slot, however many schedulers run (on one machine or several): a run
   first writes a ``ScheduledRun(job, slot)`` row, and the unique constraint lets only one
   scheduler write it. A run that fails is recorded with its error and waits for the next
   slot; every job is safe to run twice anyway.
3. Apps add their jobs through the ``register_scheduled_jobs`` Wagtail hook (so that the site
   shell imports neither ideas nor judging); the shell's own jobs deliver the outbox, send
   the CDN's purges, publish what editors scheduled, prune finished task results and old
   runs, and clear expired sessions.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail import hooks

from .models import ScheduledRun

logger = logging.getLogger(__name__)

JOBS_HOOK = "register_scheduled_jobs"
KEEP_RUNS = timedelta(days=30)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], object]
    every: timedelta | None = None
    daily_at: time | None = None

    def slot(self, now: datetime) -> str:
        """The most recent moment this job was due, as a key."""
        if self.every is not None:
            return f"{int(now.timestamp() // self.every.total_seconds())}"
        local = timezone.localtime(now)
        day = local.date() if local.time() >= self.daily_at else local.date() - timedelta(days=1)
        return day.isoformat()


def deliver_outbox(now: datetime) -> int:
    from .outbox import deliver_due

    return deliver_due(now=now)


def prune(now: datetime) -> None:
    call_command(
        "prune_db_task_results",
        min_age_days=settings.IDEATORI_TASK_RESULTS_DAYS,
        failed_min_age_days=settings.IDEATORI_TASK_RESULTS_DAYS,
        verbosity=0,
    )
    ScheduledRun.objects.filter(started_at__lt=now - KEEP_RUNS).delete()


def clear_sessions(now: datetime) -> None:
    call_command("clearsessions")


def send_cdn_purges(now: datetime) -> int:
    from .cdn_purges import send_due_purges

    return send_due_purges(now=now)


def publish_scheduled(now: datetime) -> int:
    """Wagtail's scheduled publishing, as its ``publish_scheduled`` command does it: what has
    expired is taken down, and each revision whose go-live time has come goes live. An
    editor's "go live" or "expire" time does nothing without it. Here each object is taken on
    its own: one that cannot go (a slug taken since it was scheduled) is left as it was,
    scheduled, and logged, the others still go, and the run is recorded as failed. Returns
    how many went."""
    from django.apps import apps
    from wagtail.models import DraftStateMixin, Page, Revision

    models = [Page] + [
        model
        for model in apps.get_models()
        if issubclass(model, DraftStateMixin) and not issubclass(model, Page)
    ]
    actions = [
        (item, item.unpublish, {"set_expired": True, "log_action": "wagtail.unpublish.scheduled"})
        for model in models
        for item in model.objects.filter(live=True, expire_at__lt=now).order_by("expire_at")
    ] + [
        (revision, revision.publish, {"log_action": "wagtail.publish.scheduled"})
        for revision in Revision.objects.filter(approved_go_live_at__lt=now).order_by(
            "approved_go_live_at", "pk"
        )
    ]
    failed = []
    for item, action, options in actions:
        try:
            with transaction.atomic():
                action(**options)
        except Exception:
            logger.exception("Scheduled publishing of %r failed; it stays scheduled", item)
            failed.append(repr(item))
    if failed:
        raise RuntimeError(f"Scheduled publishing failed for {', '.join(failed)}")
    return len(actions)


def site_jobs() -> list[Job]:
    return [
        Job("deliver_outbox", deliver_outbox, every=timedelta(minutes=1)),
        Job("send_cdn_purges", send_cdn_purges, every=timedelta(minutes=1)),
        Job("publish_scheduled", publish_scheduled, every=timedelta(minutes=1)),
        Job("prune_task_results", prune, daily_at=time(3, 0)),
        Job("clear_sessions", clear_sessions, daily_at=time(3, 30)),
    ]


def all_jobs() -> list[Job]:
    jobs = site_jobs()
    for register in hooks.get_hooks(JOBS_HOOK):
        jobs.extend(register())
    return jobs


def run_due(*, now: datetime | None = None, jobs: list[Job] | None = None) -> list[str]:
    """Run every job whose current slot nobody has run yet; returns the names run here."""
    now = now or timezone.now()
    ran = []
    for job in jobs if jobs is not None else all_jobs():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=job.slot(now), started_at=now)
        except IntegrityError:
            continue  # this slot is another scheduler's, or done
        try:
            job.run(now)
        except Exception as error:
            logger.exception("Scheduled job %s failed", job.name)
            run.error = f"{type(error).__name__}: {error}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "error"])
        ran.append(job.name)
    return ran
