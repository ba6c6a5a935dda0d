"""Production web server settings for `openline run`."""

import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "sync"
timeout = 30
graceful_timeout = 10
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
