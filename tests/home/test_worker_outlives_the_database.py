"""The background worker outlives its database: a throwaway PostgreSQL cluster is stopped and
started while ``run_worker`` runs (production settings, a real SMTP server on loopback); the
worker is still alive afterwards, delivers what was queued before and after, and its
heartbeat is reported by ``check_heartbeat`` and ``/healthz``'s health check."""

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
SYSTEM_USER = "ideatori-ci"

pytestmark = [
    pytest.mark.skipif(not PG_BIN, reason="PostgreSQL's server binaries are not installed"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="runs once, in the SQLite pass: it starts a PostgreSQL cluster of its own",
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster on a Unix socket in a temporary folder; initdb refuses root, so
    as root it runs as a system user."""

    def __init__(self, folder: Path):
        self.bin = Path(PG_BIN[-1])
        self.folder, self.data = folder, folder / "data"
        self.as_user = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
            shutil.chown(folder, SYSTEM_USER)
            self.as_user = ["runuser", "-u", SYSTEM_USER, "--"]

    def run(self, *command: str) -> None:
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=120)

    def create(self) -> str:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust")
        self.start()
        self.run(str(self.bin / "createdb"), "-h", str(self.folder), "-U", "postgres", "ideatori")
        return f"postgres://postgres@{urllib.parse.quote(str(self.folder), safe='')}/ideatori"

    def start(self) -> None:
        options = f"-k {self.folder} -c listen_addresses='' -c fsync=off"
        # The server's own output goes to a file: a pipe it kept open would never close.
        log = str(self.folder / "postgres.log")
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-o", options, "start"
        )

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


class Inbox:
    def __init__(self):
        self.subjects = []

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.decode().splitlines():
            if line.startswith("Subject: "):
                self.subjects.append(line.removeprefix("Subject: "))
        return "250 OK"


def wait_for(condition, seconds: float = 45) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_the_worker_outlives_a_database_restart_and_delivers_what_was_queued():
    # Not pytest's tmp_path: its parents are closed to the system user that runs PostgreSQL.
    folder = Path(tempfile.mkdtemp(prefix="ideatori-pg-"))
    cluster = Cluster(folder)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "EMAIL"))
    } | {
        "DJANGO_SETTINGS_MODULE": "ideatori.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_SITE_URL": "https://ideas.example.org",
        "DATABASE_URL": cluster.create(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "false",
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "manage.py", *args]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)

    def queue(subject: str) -> None:
        sent = manage(
            "shell",
            "-c",
            f"from django.core.mail import send_mail; "
            f"send_mail({subject!r}, 'Body', None, ['someone@example.org'])",
        )
        assert sent.returncode == 0, sent.stderr

    worker = None
    try:
        assert manage("migrate", "--noinput", "-v0").returncode == 0
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--heartbeat", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        queue("Before the restart")
        assert wait_for(lambda: "Before the restart" in inbox.subjects)

        cluster.stop()
        time.sleep(4)  # the worker meets the missing database a few times
        assert worker.poll() is None, worker.stderr.read()
        cluster.start()

        queue("After the restart")
        assert wait_for(lambda: "After the restart" in inbox.subjects)
        assert worker.poll() is None
        assert inbox.subjects.count("Before the restart") == 1
        assert wait_for(
            lambda: manage("check_heartbeat", "worker", "--max-age", "5").returncode == 0
        )
        health = manage(
            "shell",
            "-c",
            "from home.health import check_health; print(check_health().background['worker'])",
        )
        assert health.stdout.strip().splitlines()[-1].startswith("last seen"), health
    finally:
        if worker is not None:
            worker.terminate()
            try:
                output = worker.communicate(timeout=20)[1]
            except subprocess.TimeoutExpired:
                worker.kill()
                output = ""
            print(output[-3000:])
        smtp.stop()
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)
