"""How many gunicorn processes and threads a server runs, from the CPUs it may really use.

A container sees every CPU of its host in ``os.cpu_count()``; what it may use is the smaller
of the CPUs it is pinned to (``os.sched_getaffinity``, which ``--cpuset-cpus`` sets) and its
CPU quota (cgroup v2 ``cpu.max``, which ``--cpus`` and compose's ``cpus:`` set; cgroup v1's
``cpu.cfs_quota_us`` and ``cpu.cfs_period_us`` on older hosts), rounded up.

Nothing here imports Django: gunicorn's master process loads this module.
"""

import math
import os
from collections.abc import Collection, Mapping
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def cpu_quota(cgroup_root: Path = CGROUP_ROOT) -> float | None:
    """CPUs the cgroup's quota allows (``1.5`` for ``150000 100000``), or None without one."""
    text = _read(cgroup_root / "cpu.max")
    if text is not None:
        quota, _, period = text.partition(" ")
    else:
        quota = _read(cgroup_root / "cpu" / "cpu.cfs_quota_us")
        period = _read(cgroup_root / "cpu" / "cpu.cfs_period_us")
    try:
        quota_us, period_us = int(quota), int(period)
    except (TypeError, ValueError):
        return None  # "max", -1 or nothing readable: no quota
    if quota_us <= 0 or period_us <= 0:
        return None
    return quota_us / period_us


def usable_cpus(*, cgroup_root: Path = CGROUP_ROOT, affinity: Collection[int] | None = None) -> int:
    """CPUs this process may use: its affinity, capped by the cgroup's quota; at least 1."""
    if affinity is None:
        affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cpus = len(affinity) if affinity else os.cpu_count() or 1
    quota = cpu_quota(cgroup_root)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota))
    return max(1, cpus)


def web_processes(*, cpus: int, shared_cache: bool) -> tuple[int, int]:
    """gunicorn's default ``(workers, threads)``.

    With a shared cache (Redis), 2 × CPUs + 1 processes of 2 threads, gunicorn's own advice.
    Without one, the same number of threads in one process: rate limits and the cache live in
    a process's memory, and several processes would each count failed sign-ins apart.
    """
    workers = 2 * cpus + 1
    if shared_cache:
        return workers, 2
    return 1, workers * 2


def gunicorn_processes(environ: Mapping[str, str], **cpu_sources) -> tuple[int, int]:
    """``(workers, threads)`` from ``GUNICORN_WORKERS``/``GUNICORN_THREADS`` when set, else
    ``web_processes`` for the usable CPUs and whether ``REDIS_URL`` names a shared cache."""
    workers, threads = web_processes(
        cpus=usable_cpus(**cpu_sources), shared_cache=bool(environ.get("REDIS_URL", "").strip())
    )
    return (
        int(environ.get("GUNICORN_WORKERS", "").strip() or workers),
        int(environ.get("GUNICORN_THREADS", "").strip() or threads),
    )


def connections_per_process(*, threads: int, pool_max: int | None) -> int:
    """Database connections one process may hold: its pool's maximum, or one per thread
    without a pool (each thread keeps its own connection, persistent or not)."""
    return pool_max if pool_max else threads


def database_connections(
    *, servers: int, workers: int, threads: int, pool_max: int | None, background: int
) -> int:
    """Connections the whole deployment may open at once: every gunicorn process of every
    app server, plus the background processes (worker, scheduler), which run one thread and
    so hold one connection each, pooled or not."""
    web = servers * workers * connections_per_process(threads=threads, pool_max=pool_max)
    return web + background
