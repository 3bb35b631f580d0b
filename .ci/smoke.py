"""Ask a running production server the questions a load balancer and a visitor would."""

import json
import re
import sys
import time
import urllib.error
import urllib.request

base = sys.argv[1]
# The site's public name, the only one DJANGO_ALLOWED_HOSTS lists, as the load balancer passes it.
HOST = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
HTTPS = {"X-Forwarded-Proto": "https"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def get(path: str, headers: dict | None = None):
    request = urllib.request.Request(base + path, headers={"Host": HOST} | (headers or {}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


for _ in range(60):
    try:
        status, _, body = get("/healthz")
        break
    except (urllib.error.URLError, ConnectionError):
        time.sleep(0.5)
else:
    sys.exit("gunicorn did not answer within 30 s")

assert status == 200, (status, body)
health = json.loads(body)
assert (health["status"], health["database"], health["migrations"]) == ("ok", True, True), body
assert health["worker"] == "never seen" and health["scheduler"] == "never seen", body
print(f"GET /healthz -> {status} {body}")

status, headers, _ = get("/", HTTPS)
assert status == 302 and headers["Location"] == "/en/", (status, headers)
print(f"GET / -> {status} {headers['Location']}")

status, headers, body = get("/en/", HTTPS)
assert status == 200 and "<h1>Ideatori</h1>" in body, (status, body[:500])
assert "max-age=" in headers.get("Strict-Transport-Security", ""), headers
print(f"GET /en/ -> {status}, HSTS {headers['Strict-Transport-Security']}")

stylesheet = re.search(r'href="(/static/css/ideatori\.[0-9a-f]+\.css)"', body)
assert stylesheet, "the page does not link the hashed stylesheet"
status, headers, _ = get(stylesheet.group(1), HTTPS)
assert status == 200 and "immutable" in headers.get("Cache-Control", ""), (status, headers)
print(f"GET {stylesheet.group(1)} -> {status}, {headers['Cache-Control']}")

status, headers, _ = get("/en/")
assert status == 301 and headers["Location"].startswith("https://"), (status, headers)
print(f"GET /en/ over plain HTTP -> {status} to {headers['Location']}")
