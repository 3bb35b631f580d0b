"""The image and compose.yaml as far as they can be checked without a Docker engine: the
health check command the Dockerfile names, run against a real gunicorn; .dockerignore;
the services compose.yaml starts."""

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ideatori.healthcheck import target
from tests.home.test_production_settings import ROOT, production_env
from tests.ideatori.servers import gunicorn

DOCKER_HEALTHCHECK = ROOT / ".ci" / "docker_healthcheck.py"


def run_image_healthcheck(**env: str) -> subprocess.CompletedProcess:
    """The Dockerfile's HEALTHCHECK command, as .ci/run runs it."""
    return subprocess.run(
        [sys.executable, str(DOCKER_HEALTHCHECK)],
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_dockerfile_health_check_is_the_projects_command():
    command = runpy.run_path(str(DOCKER_HEALTHCHECK))["healthcheck_command"]()

    assert command == ["python", "-m", "ideatori.healthcheck"]


def test_the_image_health_check_passes_with_only_a_public_host_allowed(
    tmp_path, production_database
):
    with gunicorn(
        tmp_path / "gunicorn.log",
        DJANGO_ALLOWED_HOSTS="ideas.example.org",
        DATABASE_URL=production_database,
    ) as url:
        bind = url.removeprefix("http://")
        healthy = run_image_healthcheck(GUNICORN_BIND=bind)
        # The same server refuses every other page to a Host it does not know.
        wrong_host = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{url}/en/"],
            capture_output=True,
            text=True,
        )

    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert '200 {"status": "ok", "database": true, "migrations": true, ' in healthy.stdout
    assert wrong_host.stdout == "400"


def test_the_image_health_check_follows_a_unix_socket_bind(tmp_path, production_database):
    socket_path = tmp_path / "gunicorn.sock"
    with gunicorn(
        tmp_path / "gunicorn.log",
        GUNICORN_BIND=f"unix:{socket_path}",
        DATABASE_URL=production_database,
    ):
        healthy = run_image_healthcheck(GUNICORN_BIND=f"unix:{socket_path}")

    assert healthy.returncode == 0, healthy.stdout + healthy.stderr


def test_the_image_health_check_fails_when_the_site_is_not_ready(tmp_path):
    with gunicorn(
        tmp_path / "gunicorn.log", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    ) as url:
        unmigrated = run_image_healthcheck(GUNICORN_BIND=url.removeprefix("http://"))
    stopped = run_image_healthcheck(GUNICORN_BIND=url.removeprefix("http://"))

    assert unmigrated.returncode == 1
    assert '503 {"status": "unavailable", "database": true, "migrations": false, ' in (
        unmigrated.stdout
    )
    assert stopped.returncode == 1
    assert "Connection refused" in stopped.stdout


@pytest.mark.parametrize(
    ("bind", "asked"),
    [
        ("0.0.0.0:8000", ("127.0.0.1", 8000)),
        ("127.0.0.1:9000", ("127.0.0.1", 9000)),
        ("10.1.2.3:8000", ("10.1.2.3", 8000)),
        ("[::]:8000", ("::1", 8000)),
        ("[::1]:8001", ("::1", 8001)),
        (":8000", ("127.0.0.1", 8000)),
        ("localhost", ("localhost", 8000)),
        ("unix:/run/gunicorn.sock", ("unix", "/run/gunicorn.sock")),
        ("0.0.0.0:8000,unix:/run/g.sock", ("127.0.0.1", 8000)),
        ("", ("127.0.0.1", 8000)),
    ],
)
def test_health_check_asks_where_gunicorn_binds(bind, asked):
    assert target(bind) == asked


def ignore_patterns(path: Path) -> set[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def test_dockerignore_covers_everything_gitignore_does():
    docker = ignore_patterns(ROOT / ".dockerignore")
    for pattern in ignore_patterns(ROOT / ".gitignore"):
        name = pattern.strip("/")
        # git matches a name without a leading slash at any depth; Docker only with **/.
        expected = name if pattern.startswith("/") else f"**/{name}"
        assert expected in docker, pattern
    assert {"**/*.env", "private-media", "media", ".git"} <= docker


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_whole_stack_each_with_restart_and_health_check():
    services = compose()["services"]

    assert set(services) == {
        "migrate",
        "web-1",
        "web-2",
        "worker",
        "scheduler",
        "proxy",
        "db",
        "redis",
        "seaweedfs",
        "buckets",
        "mail",
    }
    assert services["migrate"]["restart"] == "no"
    assert services["buckets"]["restart"] == "no"
    for name, service in services.items():
        if name in ("migrate", "buckets"):
            continue
        assert service["restart"] == "unless-stopped", name
        # The web servers keep the image's HEALTHCHECK (the Dockerfile's, checked above).
        assert "healthcheck" in service or service.get("build") == ".", name
    for name in ("worker", "scheduler"):
        check = ["CMD", "python", "manage.py", "check_heartbeat", name]
        assert services[name]["healthcheck"]["test"] == check


def test_compose_web_servers_believe_only_its_proxy_and_share_redis():
    config = compose()
    services = config["services"]
    proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    caddyfile = config["configs"]["caddyfile"]["content"]

    for name in ("web-1", "web-2"):
        environment = services[name]["environment"]
        assert environment["DJANGO_TRUSTED_PROXIES"] == proxy_address
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["DJANGO_LOG_FORMAT"] == "json"
        assert "ports" not in services[name]  # reached only through the proxy
        assert f"{name}:8000" in caddyfile
    assert services["web-1"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }


def test_compose_keeps_files_in_the_object_store_with_a_private_and_a_public_bucket():
    config = compose()
    services = config["services"]
    identities = json.loads(config["configs"]["s3-identities"]["content"])["identities"]
    created = services["buckets"]["command"][0]

    for name in ("web-1", "web-2", "worker", "scheduler", "migrate"):
        environment = services[name]["environment"]
        assert environment["IDEATORI_S3_ENDPOINT_URL"] == "http://seaweedfs:8333"
        assert environment["IDEATORI_S3_PRIVATE_BUCKET"] == "ideatori-private"
        assert environment["IDEATORI_S3_PUBLIC_BUCKET"] == "ideatori-public"
        # No folder to share between servers: the buckets hold every file.
        assert "volumes" not in services[name]
    assert services["web-1"]["environment"]["IDEATORI_S3_PUBLIC_URL"].endswith("/ideatori-public")
    # Both buckets, and a second `up` that finds them passes ($$ is compose's escaped $).
    assert "for bucket in ideatori-private ideatori-public;" in created
    assert "s3.bucket.create -name $$bucket" in created
    assert '*"already exists"*) ;;' in created
    # Anonymous visitors read the public bucket only; the private one needs the key.
    anonymous = next(i for i in identities if i["name"] == "anonymous")
    assert anonymous["actions"] == ["Read:ideatori-public"]
    assert "handle /ideatori-public/*" in config["configs"]["caddyfile"]["content"]
    assert services["web-1"]["depends_on"]["buckets"] == {
        "condition": "service_completed_successfully"
    }
