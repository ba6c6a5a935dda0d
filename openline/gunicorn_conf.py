"""Production web server settings for `openline run`."""

import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "sync"
timeout = 30
graceful_timeout = 10
# Workers are recycled to bound slow memory leaks. A new worker imports Django and the
# app again (~0.6 s of CPU), and at 5,000 requests a worker serving cached pages at
# ~1,300 requests/s was replaced every ~4 s: `make bench` measured 0.68 ms of CPU per
# cached request with 5,000 against 0.58 ms with 50,000 (0.56 ms never recycling), and
# 10-20% more requests/s. 50,000 still recycles a busy worker every few minutes.
max_requests = 50_000
max_requests_jitter = 5_000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
