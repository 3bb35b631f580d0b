import pytest

from ideatori.capacity import (
    connections_per_process,
    database_connections,
    gunicorn_processes,
    usable_cpus,
    web_processes,
)


def cgroup(tmp_path, cpu_max: str | None = None, *, v1: tuple[str, str] | None = None):
    if cpu_max is not None:
        (tmp_path / "cpu.max").write_text(f"{cpu_max}\n")
    if v1 is not None:
        (tmp_path / "cpu").mkdir()
        (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
    return tmp_path


@pytest.mark.parametrize(
    ("cpu_max", "affinity", "cpus"),
    [
        ("max 100000", range(16), 16),  # no quota: the CPUs it is pinned to
        ("200000 100000", range(16), 2),  # docker run --cpus 2 on a 16-CPU host
        ("150000 100000", range(16), 2),  # 1.5 CPUs rounded up
        ("50000 100000", range(16), 1),
        ("400000 100000", {0, 1}, 2),  # pinned to two CPUs: the quota cannot add more
        (None, range(4), 4),  # no cgroup file at all
        ("garbage", range(4), 4),
        ("", range(4), 4),
    ],
)
def test_usable_cpus_follow_the_cgroup_quota_and_affinity(tmp_path, cpu_max, affinity, cpus):
    root = cgroup(tmp_path, cpu_max)

    assert usable_cpus(cgroup_root=root, affinity=set(affinity)) == cpus


@pytest.mark.parametrize(("quota", "cpus"), [("300000", 3), ("-1", 8)])
def test_usable_cpus_read_cgroup_v1_on_older_hosts(tmp_path, quota, cpus):
    root = cgroup(tmp_path, v1=(quota, "100000"))

    assert usable_cpus(cgroup_root=root, affinity=set(range(8))) == cpus


def test_usable_cpus_of_this_process_are_its_affinity_at_most():
    import os

    assert 1 <= usable_cpus() <= len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("cpus", "shared_cache", "processes"),
    [(1, True, (3, 2)), (4, True, (9, 2)), (1, False, (1, 6)), (4, False, (1, 18))],
)
def test_web_processes_are_one_without_a_shared_cache(cpus, shared_cache, processes):
    assert web_processes(cpus=cpus, shared_cache=shared_cache) == processes


def test_gunicorn_processes_follow_the_container_limit_unless_set(tmp_path):
    root = cgroup(tmp_path, "200000 100000")
    redis = {"REDIS_URL": "redis://cache:6379/0"}

    assert gunicorn_processes(redis, cgroup_root=root, affinity=set(range(32))) == (5, 2)
    assert gunicorn_processes({}, cgroup_root=root, affinity=set(range(32))) == (1, 10)
    assert gunicorn_processes(
        redis | {"GUNICORN_WORKERS": "7", "GUNICORN_THREADS": "4"},
        cgroup_root=root,
        affinity=set(range(32)),
    ) == (7, 4)


@pytest.mark.parametrize(
    ("threads", "pool_max", "per_process"), [(4, None, 4), (4, 2, 2), (2, 6, 6), (1, 0, 1)]
)
def test_connections_per_process_are_the_pool_or_one_per_thread(threads, pool_max, per_process):
    assert connections_per_process(threads=threads, pool_max=pool_max) == per_process


def test_database_connections_count_every_server_process_and_the_background():
    assert database_connections(servers=2, workers=5, threads=2, pool_max=None, background=2) == 22
    assert database_connections(servers=3, workers=1, threads=10, pool_max=4, background=2) == 14
