"""gunicorn settings for production. Each can be overridden from the environment."""

import os

from ideatori.capacity import gunicorn_processes
from ideatori.logs import log_format, logging_config
from ideatori.proxies import trusted_proxies

wsgi_app = "ideatori.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# From the CPUs this container may use (affinity and cgroup quota), not the host's count;
# one process without REDIS_URL, so that rate limits are counted in one place.
workers, threads = gunicorn_processes(os.environ)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never takes a server down: rarely, since
# a cached page costs about a millisecond and a new process seconds to start (0 turns it off).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The proxies Django believes (ideatori.middleware.TrustedProxyMiddleware) are the ones
# gunicorn believes when it sets wsgi.url_scheme from X-Forwarded-Proto.
forwarded_allow_ips = ",".join(trusted_proxies(os.environ.get("DJANGO_TRUSTED_PROXIES")))
# Every line through ideatori.logs, as Django's own: text, or JSON with DJANGO_LOG_FORMAT=json.
logger_class = "ideatori.gunicorn_logging.Logger"
logconfig_dict = logging_config(
    log_format=log_format(os.environ.get("DJANGO_LOG_FORMAT")),
    level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    gunicorn_level=os.environ.get("GUNICORN_LOG_LEVEL", "info").upper(),
)
# Time, request id and client are the log line's own fields; this is the rest.
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
