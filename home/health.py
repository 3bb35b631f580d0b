"""What the load balancer and the container runtime ask before sending traffic here."""

from dataclasses import dataclass

from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


@dataclass(frozen=True)
class Health:
    database: bool
    migrations: bool

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
        return Health(database=False, migrations=False)
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return Health(database=True, migrations=False)
    return Health(database=True, migrations=not pending)
