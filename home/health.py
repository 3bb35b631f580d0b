"""What the load balancer and the container runtime ask before sending traffic here."""

from dataclasses import dataclass, field

from django.core.cache import caches
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from .heartbeat import SCHEDULER, WORKER, last_seen
from .storage import ATTACHMENTS, MEDIA, reachable


@dataclass(frozen=True)
class Health:
    database: bool
    migrations: bool
    # "last seen 12 s ago" (or "never seen", or "unknown" without a database) per process kind
    background: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.database and self.migrations


def check_health(using: str = "default") -> Health:
    """Report whether the database answers and every migration on disk is applied.

    Migrations count as not applied when the database cannot be asked.
    """
    connection = connections[using]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        unknown = dict.fromkeys((WORKER, SCHEDULER), "unknown")
        return Health(database=False, migrations=False, background=unknown)
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return Health(database=True, migrations=False)
    return Health(database=True, migrations=not pending, background=background())


def background() -> dict[str, str]:
    seen = {}
    for kind in (WORKER, SCHEDULER):
        try:
            age = last_seen(kind)
        except DatabaseError:
            seen[kind] = "unknown"
            continue
        seen[kind] = "never seen" if age is None else f"last seen {age.total_seconds():.0f} s ago"
    return seen


def storage_health() -> dict[str, bool]:
    """Whether each file store answers: the teams' attachments and the public media."""
    return {"attachments": reachable(ATTACHMENTS), "media": reachable(MEDIA)}


def cache_health() -> bool:
    """Whether the shared cache (Redis) answers; a cache in the process's memory always does."""
    unreachable = getattr(caches["default"], "unreachable", None)
    return unreachable is None or unreachable() is None
