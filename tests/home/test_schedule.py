"""The schedule: each periodic job at its time (frozen moments), once per slot however many
schedulers run, a failing job recorded without stopping the others."""

import io
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from home.heartbeat import SCHEDULER, last_seen
from home.models import ScheduledRun
from home.schedule import Job, all_jobs, run_due
from ideas.models import IdeaStatus
from judging.models import Assignment
from tests.factories import UserFactory, make_idea, make_juror, make_round, make_team

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(hour: int, minute: int, second: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=HELSINKI)


@pytest.mark.django_db
def test_each_job_runs_at_its_time():
    assert {job.name for job in all_jobs()} == {
        "deliver_outbox",
        "send_cdn_purges",
        "publish_scheduled",
        "prune_task_results",
        "clear_sessions",
        "deadline_reminders",
        "outcome_reminders",
        "open_judging",
        "juror_reminders",
        "apply_retention",
    }

    first = set(run_due(now=at(7, 58, 10)))
    same_minute = set(run_due(now=at(7, 58, 50)))
    next_minute = set(run_due(now=at(7, 59, 5)))
    eight = set(run_due(now=at(8, 0, 1)))
    five_past = set(run_due(now=at(8, 5, 0)))
    next_night = set(run_due(now=at(3, 0, 0, day=2)))
    quarter_past_three = set(run_due(now=at(3, 15, 0, day=2)))
    half_past_three = set(run_due(now=at(3, 30, 0, day=2)))

    # A fresh scheduler catches up once with every job; then each job comes at its time.
    assert first == {job.name for job in all_jobs()}
    assert same_minute == set()
    assert next_minute == {"deliver_outbox", "send_cdn_purges", "publish_scheduled"}
    assert eight == {
        "deliver_outbox",
        "send_cdn_purges",
        "publish_scheduled",
        "deadline_reminders",
        "juror_reminders",
        "open_judging",
        "outcome_reminders",
    }
    assert five_past == {"deliver_outbox", "send_cdn_purges", "publish_scheduled", "open_judging"}
    assert next_night == {
        "deliver_outbox",
        "send_cdn_purges",
        "publish_scheduled",
        "deadline_reminders",
        "juror_reminders",
        "open_judging",
        "prune_task_results",
    }
    assert quarter_past_three == {
        "deliver_outbox",
        "send_cdn_purges",
        "publish_scheduled",
        "open_judging",
        "apply_retention",
    }
    assert half_past_three == {
        "deliver_outbox",
        "send_cdn_purges",
        "publish_scheduled",
        "open_judging",
        "clear_sessions",
    }


@pytest.mark.django_db
def test_the_open_judging_job_assigns_and_tells_the_jurors_when_its_time_comes():
    competition = make_round(phase="judging")
    jurors = [make_juror(competition) for _ in range(2)]
    for _ in range(3):
        make_idea(team=make_team(), competition=competition, status=IdeaStatus.SUBMITTED)
    judging_job = next(job for job in all_jobs() if job.name == "open_judging")

    ran = run_due(now=competition.closes_at + timedelta(minutes=1), jobs=[judging_job])
    again = run_due(now=competition.closes_at + timedelta(minutes=7), jobs=[judging_job])

    assert ran == ["open_judging"] and again == ["open_judging"]
    assert Assignment.objects.filter(idea__competition=competition).count() == 6
    told = sorted(message.to[0] for message in mail.outbox)
    assert told == sorted(juror.email for juror in jurors)  # once each, the second run nothing


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_others_still_run():
    ran = []

    def broken(now):
        raise RuntimeError("the report server is away")

    jobs = [
        Job("broken", broken, every=timedelta(minutes=1)),
        Job("fine", lambda now: ran.append(now), every=timedelta(minutes=1)),
    ]

    assert run_due(now=at(9, 0), jobs=jobs) == ["broken", "fine"]
    assert len(ran) == 1
    record = ScheduledRun.objects.get(job="broken")
    assert "RuntimeError: the report server is away" in record.error
    assert record.finished_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_at_once_run_each_job_once():
    runs = []
    lock = threading.Lock()

    def counted(name):
        def run(now):
            with lock:
                runs.append(name)

        return run

    jobs = [Job(name, counted(name), every=timedelta(minutes=1)) for name in ("a", "b", "c")]
    start = threading.Barrier(2)
    done = []

    def scheduler():
        from django.db import connection

        start.wait()
        try:
            done.append(run_due(now=at(10, 0), jobs=jobs))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(runs) == ["a", "b", "c"]
    assert sorted(name for names in done for name in names) == ["a", "b", "c"]
    assert ScheduledRun.objects.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_schedule_once_runs_what_is_due_and_says_it_lives():
    UserFactory()

    call_command("run_schedule", once=True, stdout=io.StringIO())

    assert ScheduledRun.objects.filter(job="deliver_outbox").exists()
    assert last_seen(SCHEDULER) < timedelta(minutes=1)


@pytest.mark.django_db
def test_a_page_scheduled_to_go_live_is_published_when_its_time_comes():
    from django.utils import timezone as django_timezone

    from tests.factories import make_standard_page

    page = make_standard_page(title="About", slug="about")
    page.title = "About, rewritten"
    # An editor's "publish at" in half an hour: Wagtail keeps the revision until then.
    later = django_timezone.now() + timedelta(minutes=30)
    revision = page.save_revision(approved_go_live_at=later)
    job = next(job for job in all_jobs() if job.name == "publish_scheduled")

    job.run(django_timezone.now())
    page.refresh_from_db()
    assert page.title == "About"

    # Its time has come.
    revision.approved_go_live_at = django_timezone.now() - timedelta(minutes=1)
    revision.save(update_fields=["approved_go_live_at"])
    job.run(django_timezone.now())
    page.refresh_from_db()
    assert page.title == "About, rewritten"


@pytest.mark.django_db
def test_a_scheduled_page_that_cannot_go_live_stays_scheduled_and_the_others_still_go(caplog):
    from django.utils import timezone as django_timezone

    from home.models import ScheduledRun
    from tests.factories import make_standard_page

    taken = make_standard_page(title="Contact", slug="contact")
    about = make_standard_page(title="About", slug="about")
    due = django_timezone.now() - timedelta(minutes=1)
    # Scheduled to take a slug a sibling has since taken: it cannot be published.
    about.slug = "contact"
    stuck = about.save_revision(approved_go_live_at=due, clean=False)
    taken.title = "Contact us"
    taken.save_revision(approved_go_live_at=due)
    job = next(job for job in all_jobs() if job.name == "publish_scheduled")

    ran = run_due(now=django_timezone.now(), jobs=[job])

    assert ran == ["publish_scheduled"]
    assert ScheduledRun.objects.get(job="publish_scheduled").error.startswith("RuntimeError")
    assert "stays scheduled" in caplog.text
    taken.refresh_from_db()
    about.refresh_from_db()
    assert taken.title == "Contact us"
    assert about.slug == "about"
    stuck.refresh_from_db()
    assert stuck.approved_go_live_at == due  # still scheduled, for an editor to see
