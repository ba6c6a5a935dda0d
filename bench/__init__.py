"""Load benchmarks for Openline: `make bench` (or `python -m bench`).

Each scenario starts its own servers on 127.0.0.1 with a throwaway data folder,
drives them with wrk for a bounded time, and stops everything it started.
See docs/benchmarks.md.
"""
