"""gunicorn's logger, whose access lines carry the request's id and client as fields.

gunicorn writes its access line after the response, outside Django: the request id comes
from the response's ``X-Request-ID`` header and the client from ``REMOTE_ADDR``, which
``ideatori.middleware.TrustedProxyMiddleware`` has set in the same WSGI environ. Named by
``logger_class`` in ``gunicorn.conf.py``.
"""

import traceback

from gunicorn import glogging

from ideatori.logs import REQUEST_ID_HEADER


class Logger(glogging.Logger):
    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms_wrapper_class(self.atoms(resp, req, environ, request_time))
        request_id = atoms[f"{{{REQUEST_ID_HEADER.lower()}}}o"]
        fields = {
            "request_id": None if request_id == "-" else request_id,
            "client": environ.get("REMOTE_ADDR") or None,
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "duration_ms": atoms["M"],
            "bytes": getattr(resp, "sent", None),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        try:
            self.access_log.info(self.cfg.access_log_format, atoms, extra=fields)
        except Exception:
            self.error(traceback.format_exc())
