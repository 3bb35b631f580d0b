"""``python -m tests.bench [name ...]``: set up a throwaway database and run the benchmarks."""

import os
import sys


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideatori.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tests.bench import judging, load, pages, report, showcase

    benches = {
        "judging": judging.run,
        "pages": pages.run,
        "showcase": showcase.run,
        "report": report.run,
        # gunicorn and wrk on a database of its own (the demo content), beside the others.
        "load": load.run,
    }
    chosen = argv or list(benches)
    unknown = [name for name in chosen if name not in benches]
    if unknown:
        print(f"Unknown benchmark: {', '.join(unknown)}. Known: {', '.join(benches)}")
        return 2
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"database: {connection.vendor} ({name})")
    failures = 0
    try:
        for bench in chosen:
            failures += benches[bench]()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    print("all targets met" if not failures else f"{failures} target(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
