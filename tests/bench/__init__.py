"""Benchmarks run by ``make bench``: medians of repeated runs, each beside a baseline measured
in the same run, on a throwaway database (SQLite, or PostgreSQL when DATABASE_URL says so)."""
