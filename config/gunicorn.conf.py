"""gunicorn settings for production (docs/production.md): `gunicorn -c config/gunicorn.conf.py`.

Environment: GUNICORN_BIND (default 127.0.0.1:8000, nginx in front), GUNICORN_WORKERS (default 2 × CPU + 1).
The application itself is configured by the variables listed at the top of config/settings.py.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
timeout = 120  # large Excel imports
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
# Only the local nginx may set X-Forwarded-* headers that gunicorn itself interprets.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
