"""`trail ui`: the REST API of docs/api.md against a real server in a temporary project with
recorded runs: every endpoint's shape and status codes, paging, bad queries, path traversal,
unknown runs and content ids, the Host check, tokens for reads and writes, the security headers,
strings that must come back as they were, and Server-Sent Events from a live run."""
import gzip
import http.client
import json
import re
import signal
import socket
import time
import urllib.parse

import pytest

from conftest import (PYTHON, git, init_project, make_git_repo, record, trail, trail_popen,
                      wait_for, write_script)

XSS = "<img src=x onerror=alert(1)>"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: "
                               "blob:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
URL_LINE = re.compile(r"^trail ui: serving (\S+) at (http://[^/]+:(\d+)/(\?token=([0-9a-zA-Z_-]+))?)\n$")


class Server:
    def __init__(self, proc, line):
        m = URL_LINE.match(line)
        assert m, line
        self.proc, self.name, self.url, self.port = proc, m.group(1), m.group(2), int(m.group(3))
        self.url_token = m.group(5)
        self.host = "127.0.0.1"
        self.seen_headers = []  # every response's headers, for the security-header check

    def request(self, method, path, body=None, headers=None, host_header=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = {"Host": host_header or f"127.0.0.1:{self.port}"}
        h.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
            h["Content-Length"] = str(len(data))
        elif method == "POST":
            h["Content-Length"] = "0"
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            conn.putheader(k, v)
        conn.endheaders(data)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        self.seen_headers.append((path, dict(resp.getheaders())))
        return resp.status, dict(resp.getheaders()), payload

    def get_json(self, path, **kw):
        status, headers, payload = self.request("GET", path, **kw)
        return status, json.loads(payload) if payload else None

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=20)


def start_server(repo, *args):
    proc = trail_popen("ui", "--port", "0", *args, cwd=repo, text=True)
    line = proc.stdout.readline()
    if not line:
        raise AssertionError(f"trail ui exited {proc.wait()}: {proc.stderr.read()}")
    return Server(proc, line)


def skip_if_unimplemented(status, body):
    """Endpoints over library functions that other branches implement answer 500 'not
    implemented yet' on a tree without them; their tests wait for those branches."""
    if status == 500 and body and "not implemented yet" in body["error"]["message"]:
        pytest.skip(body["error"]["message"])


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    from conftest import _ENV, base_env
    if not _ENV:
        _ENV.update(base_env(tmp_path_factory.mktemp("home")))
    repo = make_git_repo(tmp_path_factory.mktemp("ui") / "shop")
    init_project(repo, "p")
    scripts = tmp_path_factory.mktemp("scripts")
    train = write_script(scripts, "train.py", (
        "import json, os, sys\n"
        "lr = float(sys.argv[1])\n"
        "with open(os.environ['TRAIL_METRICS'], 'a') as f:\n"
        "    for step in range(20):\n"
        "        f.write(json.dumps({'step': step, 'loss': lr * (20 - step)}) + '\\n')\n"
        "print('trained with', lr)\n"))
    trail("run", "-p", "lr=0.1", "-p", f"note={XSS}", "--", PYTHON, train, "0.1", cwd=repo)
    trail("run", "-p", "lr=0.2", "-p", "note=plain", "--", PYTHON, train, "0.2", cwd=repo)
    trail("run", "-p", "lr=0.3", "-p", "note=plain", "--", PYTHON, train, "0.3", cwd=repo)
    return repo


@pytest.fixture(scope="module")
def ui(repo):
    server = start_server(repo)
    yield server
    assert server.stop() == 0  # SIGINT stops it cleanly


def test_url_line_and_loopback_needs_no_read_token(ui):
    assert ui.name == "p"
    assert ui.url == f"http://127.0.0.1:{ui.port}/"  # no token in the URL on loopback
    status, body = ui.get_json("/api/v1/runs")
    assert status == 200


def test_project_and_keys(ui):
    status, body = ui.get_json("/api/v1/project")
    skip_if_unimplemented(status, body)
    assert status == 200, body
    assert body["name"] == "p" and body["branch"] == "trail" and body["runs"] == 3 and body["live"] == 0
    assert re.fullmatch(r"[0-9a-f]{40}", body["tip"]) and body["read_only"] is False
    status, keys = ui.get_json("/api/v1/keys")
    skip_if_unimplemented(status, keys)
    assert status == 200
    assert {"key": "lr", "runs": 3} in keys["params"]
    assert any(k["key"] == "loss" for k in keys["metrics"])
    assert "started" in keys["attributes"]


def test_runs_listing_shape_and_xss_string(ui):
    status, body = ui.get_json("/api/v1/runs?sort=params.lr&limit=50")
    assert status == 200, body
    assert [r["id"] for r in body["runs"]] == ["p-1", "p-2", "p-3"]
    assert body["offset"] == 0 and body["next_cursor"] is None and body["total"] is None
    assert body["live"] == []
    status, project = ui.get_json("/api/v1/project")
    assert body["tip"] == project["tip"]  # the first page names the tip it lists
    row = body["runs"][0]
    for key in ("id", "number", "name", "status", "user", "started", "duration_s", "exit_code", "parent",
                "archived", "params", "metrics", "tags", "derived", "context"):
        assert key in row, key
    assert row["params"]["note"] == XSS  # exactly the string: the API never escapes
    assert row["metrics"]["loss"]["count"] == 20
    status, run = ui.get_json("/api/v1/runs/p-1")
    assert run["record"]["params"]["note"] == XSS


def test_runs_paging_by_offset_and_cursor(ui):
    status, first = ui.get_json("/api/v1/runs?sort=params.lr&limit=1")
    assert status == 200 and [r["id"] for r in first["runs"]] == ["p-1"]
    cursor = first["next_cursor"]
    assert cursor
    status, second = ui.get_json("/api/v1/runs?sort=params.lr&limit=1&cursor=" + urllib.parse.quote(cursor))
    assert status == 200, second
    assert [r["id"] for r in second["runs"]] == ["p-2"] and second["offset"] == 1
    assert "live" not in second and "tip" not in second  # live runs and the tip come with the first page only
    status, by_offset = ui.get_json("/api/v1/runs?sort=params.lr&limit=2&offset=1")
    assert [r["id"] for r in by_offset["runs"]] == ["p-2", "p-3"] and by_offset["next_cursor"] is None
    status, err = ui.get_json("/api/v1/runs?sort=params.lr&desc=1&limit=1&cursor=" + urllib.parse.quote(cursor))
    assert status == 400 and err["error"]["code"] == "invalid_argument"
    status, err = ui.get_json("/api/v1/runs?limit=1&cursor=" + urllib.parse.quote(cursor))
    assert status == 400
    status, err = ui.get_json("/api/v1/runs?cursor=nonsense")
    assert status == 400
    for bad in ("limit=0", "limit=1001", "limit=x", "offset=-1", "desc=2"):
        status, err = ui.get_json("/api/v1/runs?" + bad)
        assert status == 400, bad
        assert err["error"]["message"]


def test_counts(ui):
    status, body = ui.get_json("/api/v1/runs?count=1&where=" + urllib.parse.quote("params.lr > 0.15"))
    skip_if_unimplemented(status, body)
    assert status == 200 and body["total"] == 2
    status, body = ui.get_json("/api/v1/runs/count?where=" + urllib.parse.quote("params.lr > 0.15"))
    assert status == 200 and body == {"total": 2}


def test_counts_and_keys_follow_new_runs(repo, tmp_path):
    # The server keeps counts and keys until the runs branch moves: a run recorded while it
    # serves must show in both at once, never a stale answer.
    server = start_server(repo)
    try:
        where = "?count=1&where=" + urllib.parse.quote("params.lr > 0.15")
        status, before = server.get_json("/api/v1/runs" + where)
        assert status == 200
        status, keys = server.get_json("/api/v1/keys")
        assert "fresh_key" not in [k["key"] for k in keys["params"]]
        status, project = server.get_json("/api/v1/project")
        trail("run", "-p", "lr=0.9", "-p", "fresh_key=1", "--", PYTHON, "-c", "pass", cwd=repo)
        status, after = server.get_json("/api/v1/runs" + where)
        assert after["total"] == before["total"] + 1
        status, body = server.get_json("/api/v1/runs/count" + where)
        assert body["total"] == before["total"] + 1
        status, keys = server.get_json("/api/v1/keys")
        assert {"key": "fresh_key", "runs": 1} in keys["params"]
        status, now = server.get_json("/api/v1/project")
        assert now["runs"] == project["runs"] + 1 and now["tip"] != project["tip"]
    finally:
        assert server.stop() == 0


def test_query_check_compiles_without_running(ui):
    ok = "/api/v1/query/check?" + urllib.parse.urlencode({"where": "metrics.loss < 1", "sort": "params.lr"})
    assert ui.get_json(ok) == (200, {"ok": True})
    status, body = ui.get_json("/api/v1/query/check?" + urllib.parse.urlencode({"where": "metrics.loss <"}))
    assert status == 400 and body["error"]["code"] == "invalid_argument" and "column" in body["error"]
    status, body = ui.get_json("/api/v1/query/check?" + urllib.parse.urlencode({"sort": "nope("}))
    assert status == 400 and "bad sort key" in body["error"]["message"]


def test_bad_query_names_its_column(ui):
    where = urllib.parse.quote("params.lr << 1")
    for path in ("/api/v1/runs?where=" + where, "/api/v1/query/check?where=" + where):
        status, body = ui.get_json(path)
        assert status == 400, body
        assert body["error"]["code"] == "invalid_argument"
        assert body["error"]["column"] == 12
        assert "column 12" in body["error"]["message"]
    status, body = ui.get_json("/api/v1/runs?sort=" + urllib.parse.quote("params.lr desc nonsense"))
    assert status == 400 and body["error"]["code"] == "invalid_argument"
    status, body = ui.get_json("/api/v1/query/check?where=" + urllib.parse.quote("params.lr < 1"))
    assert status == 200 and body == {"ok": True}


def test_one_run_output_and_unknown_runs(ui):
    status, body = ui.get_json("/api/v1/runs/2")
    assert status == 200
    assert body["id"] == "p-2" and body["live"] is False and body["record"]["params"]["lr"] == 0.2
    assert body["dir"] == "runs/000/p-2" and re.fullmatch(r"[0-9a-f]{40}", body["tip"])
    status, headers, text = ui.request("GET", "/api/v1/runs/p-2/output")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert b"trained with 0.2" in text
    for path in ("/api/v1/runs/p-99", "/api/v1/runs/p-99/output", "/api/v1/runs/p-99/code/diff",
                 "/api/v1/compare?ids=p-1,p-99"):
        status, body = ui.get_json(path)
        assert status == 404, path
        assert body["error"]["code"] == "not_found"
    status, body = ui.get_json("/api/v1/runs/%2e%2e")
    assert status == 400
    status, body = ui.get_json("/api/v1/nothing/here")
    assert status == 404 and body["error"]["code"] == "not_found"


def test_series(ui):
    status, body = ui.get_json("/api/v1/runs/p-1/metrics/loss?points=1000")
    skip_if_unimplemented(status, body)
    assert status == 200, body
    assert body["metric"] == "loss" and body["x"] == "step" and body["total"] == 20
    assert body["downsampled"] is False and len(body["points"]["x"]) == 20
    assert body["max"]["y"] == pytest.approx(2.0)
    status, body = ui.get_json("/api/v1/runs/p-1/metrics/loss?points=4&from=5&to=9")
    assert status == 200 and body["in_range"] == 5
    for bad in ("points=3", "points=20001", "x=epoch", "from=abc"):
        status, body = ui.get_json("/api/v1/runs/p-1/metrics/loss?" + bad)
        assert status == 400, bad
    status, body = ui.get_json("/api/v1/runs/p-1/metrics/val%2Floss")
    assert status == 404


def test_code_snapshot_and_traversal(ui):
    for path in ("../etc/passwd", "/etc/passwd", "src/../../x", "%2e%2e/x", "", "a//b"):
        quoted = urllib.parse.quote(urllib.parse.unquote(path), safe="")
        status, body = ui.get_json("/api/v1/runs/p-1/code/file?path=" + quoted)
        assert status == 400, path
    status, _, _ = ui.request("GET", "/api/v1/runs/p-1/code/file?path=%2e%2e%2fapp.py")
    assert status == 400
    status, body = ui.get_json("/api/v1/runs/p-1/code/diff")
    assert status == 200 and set(body) == {"base", "snapshot", "stat", "patch"}
    status, body = ui.get_json("/api/v1/compare/code?a=p-1&b=p-2")
    assert status == 200 and body["a"] == "p-1" and body["b"] == "p-2"
    status, body = ui.get_json("/api/v1/runs/p-1/code/files")
    skip_if_unimplemented(status, body)
    assert status == 200
    assert "app.py" in [f["path"] for f in body["files"]]
    status, headers, text = ui.request("GET", "/api/v1/runs/p-1/code/file?path=app.py")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"def handler" in text
    status, body = ui.get_json("/api/v1/runs/p-1/code/file?path=missing.py")
    assert status == 404


def test_stored_files_only_by_named_oid(ui):
    status, body = ui.get_json("/api/v1/runs/p-1/files/sha256:xyz")
    assert status == 400
    status, body = ui.get_json("/api/v1/runs/p-1/files/" + urllib.parse.quote("../../.git/config", safe=""))
    assert status in (400, 404)
    unnamed = "sha256:" + "ab" * 32
    status, body = ui.get_json("/api/v1/runs/p-1/files/" + unnamed)
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = ui.get_json("/api/v1/runs/p-1/files/" + unnamed + "/list")
    assert status == 404
    status, body = ui.get_json("/api/v1/runs/p-1/data/train/head")
    assert status == 404


def test_compare(ui):
    status, body = ui.get_json("/api/v1/compare?ids=p-1,p-2,3")
    assert status == 200, body
    assert [r["id"] for r in body["runs"]] == ["p-1", "p-2", "p-3"]
    assert body["fields"]["params.lr"] == [0.1, 0.2, 0.3]
    assert body["fields"]["params.note"] == [XSS, "plain", "plain"]
    assert "params.lr" in body["differing"]
    assert "code.commit" not in body["differing"]
    assert "metrics.loss.count" not in body["differing"]
    for bad in ("ids=p-1", "ids=", "ids=" + ",".join(["p-1"] * 51)):
        status, body = ui.get_json("/api/v1/compare?" + bad)
        assert status == 400, bad


def test_sweeps(ui):
    status, body = ui.get_json("/api/v1/sweeps")
    assert status == 200 and body == {"sweeps": []}
    status, body = ui.get_json("/api/v1/sweeps/p-sweep-1")
    assert status == 404


def test_static_pages_and_assets(ui):
    status, headers, page = ui.request("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    m = re.search(rb'<meta name="trail-token" content="([0-9a-f]{64})">', page)
    assert m, page[:300]
    assert b"__TRAIL_TOKEN__" not in page
    assert headers["Cache-Control"].startswith("no-cache")
    status, _, page2 = ui.request("GET", "/runs/p-1")  # a client-side route
    assert status == 200 and page2 == page
    for path in ("/assets/../api/v1/project", "/assets/%2e%2e/CMakeLists.txt", "/assets/nope.js", "/favicon.ico",
                 "/assets/..%2f..%2fetc%2fpasswd"):
        status, _, _ = ui.request("GET", path)
        assert status == 404, path
    # The built page's entry module: cached for good, and gzipped at build time for a client that
    # accepts gzip (without the UI built, the placeholder page references no module).
    entry = re.search(rb'<script type="module" src="/assets/(app-[0-9A-Za-z]+\.js)"', page)
    if entry:
        path = "/assets/" + entry.group(1).decode()
        status, plain_headers, plain = ui.request("GET", path, headers={"Accept-Encoding": "identity"})
        assert status == 200 and plain_headers["Content-Type"].startswith("text/javascript")
        assert "immutable" in plain_headers["Cache-Control"] and "Content-Encoding" not in plain_headers
        status, headers, packed = ui.request("GET", path, headers={"Accept-Encoding": "gzip, deflate"})
        assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(packed) == plain and headers["ETag"] != plain_headers["ETag"]
        status, _, _ = ui.request("GET", path, headers={"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})
        assert status == 304


def test_host_check(ui):
    for path in ("/api/v1/runs", "/"):
        status, headers, body = ui.request("GET", path, host_header="evil.com")
        assert status == 403, path
        assert json.loads(body)["error"]["code"] == "forbidden"
        status, _, _ = ui.request("GET", path, host_header=f"evil.com:{ui.port}")
        assert status == 403
    status, _, _ = ui.request("GET", "/api/v1/runs", host_header=f"localhost:{ui.port}")
    assert status == 200


def _page_token(ui):
    _, _, page = ui.request("GET", "/")
    return re.search(rb'content="([0-9a-f]{64})"', page).group(1).decode()


def test_writes_need_the_token_header(ui, repo):
    token = _page_token(ui)
    edit = {"set": {"stage": "best"}}
    status, _, body = ui.request("POST", "/api/v1/runs/p-2/tags", body=edit)
    assert status == 403 and json.loads(body)["error"]["code"] == "forbidden"
    status, _, _ = ui.request("POST", "/api/v1/runs/p-2/tags", body=edit, headers={"X-Trail-Token": "0" * 64})
    assert status == 403
    # A cookie or a Bearer token is not enough for a write (a cross-site form would carry the cookie).
    status, _, _ = ui.request("POST", "/api/v1/runs/p-2/tags", body=edit,
                              headers={"Cookie": f"trail_token={token}", "Authorization": f"Bearer {token}"})
    assert status == 403
    assert "tags" not in record(repo, "p-2") or "stage" not in record(repo, "p-2")["tags"]

    status, _, body = ui.request("POST", "/api/v1/runs/p-2/tags", body=edit, headers={"X-Trail-Token": token})
    assert status == 200, body
    assert json.loads(body)["tags"]["stage"] == "best"
    assert record(repo, "p-2")["tags"]["stage"] == "best"  # committed on the runs branch

    status, _, body = ui.request("POST", "/api/v1/runs/p-2/notes", body={"text": XSS}, headers={"X-Trail-Token": token})
    assert status == 200, body
    notes = record(repo, "p-2")["notes"]
    assert any(n.get("text") == XSS for n in notes)
    assert any(n.get("text") == XSS for n in json.loads(body)["notes"])

    status, _, body = ui.request("POST", "/api/v1/runs/p-2/tags", body={"remove": ["stage"]},
                                 headers={"X-Trail-Token": token})
    assert status == 200 and "stage" not in json.loads(body)["tags"]
    # Bad bodies and unknown runs: nothing committed.
    before = git("rev-parse", "trail", cwd=repo)
    for path, body in (("/api/v1/runs/p-2/tags", {}), ("/api/v1/runs/p-2/tags", {"set": "x"}),
                       ("/api/v1/runs/p-2/notes", {"text": ""}), ("/api/v1/runs/p-2/tags", {"remove": ["absent"]}),
                       ("/api/v1/runs/p-99/notes", {"text": "x"})):
        status, _, _ = ui.request("POST", path, body=body, headers={"X-Trail-Token": token})
        assert status in (400, 404), (path, body)
    status, _, _ = ui.request("POST", "/api/v1/runs/p-2/notes", headers={"X-Trail-Token": token})
    assert status == 400
    assert git("rev-parse", "trail", cwd=repo) == before


def test_security_headers_on_every_response(ui):
    ui.request("GET", "/api/v1/runs/p-99")
    ui.request("GET", "/api/v1/runs?limit=0")
    ui.request("GET", "/", host_header="evil.com")
    ui.request("POST", "/api/v1/runs/p-1/tags", body={})
    ui.request("GET", "/assets/nope")
    assert len(ui.seen_headers) >= 5
    for path, headers in ui.seen_headers:
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (path, name)
        assert "Access-Control-Allow-Origin" not in headers


def test_port_in_use_is_an_error(ui, repo):
    proc = trail("ui", "--port", str(ui.port), cwd=repo, check=False, timeout=20)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "in use" in proc.stderr


def test_outside_a_project_and_bad_flags(tmp_path):
    proc = trail("ui", "--port", "0", cwd=tmp_path, check=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    proc = trail("ui", "--port", "70000", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    proc = trail("ui", "--help", cwd=tmp_path)
    assert "--port" in proc.stdout and "--host" in proc.stdout and "--token" in proc.stdout


def test_non_loopback_bind_needs_the_token_for_reads(repo):
    server = start_server(repo, "--host", "0.0.0.0", "--token", "s3cret-token")
    try:
        assert server.url_token == "s3cret-token"
        status, body = server.get_json("/api/v1/runs")
        assert status == 401 and body["error"]["code"] == "unauthorized"
        status, _, _ = server.request("GET", "/")
        assert status == 401
        status, _, _ = server.request("GET", "/api/v1/runs", headers={"Authorization": "Bearer wrong"})
        assert status == 401
        status, _, _ = server.request("GET", "/api/v1/runs", headers={"Authorization": "Bearer s3cret-token"})
        assert status == 200
        # ?token= on a page load sets the cookie and redirects to the same page without it.
        status, headers, _ = server.request("GET", "/runs?token=s3cret-token&where=x")
        assert status == 302
        assert headers["Location"] == "/runs?where=x"
        cookie = headers["Set-Cookie"]
        assert "trail_token=s3cret-token" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        status, _, _ = server.request("GET", "/api/v1/runs", headers={"Cookie": "trail_token=s3cret-token"})
        assert status == 200
        status, _, _ = server.request("GET", "/api/v1/runs?token=s3cret-token")
        assert status == 401  # API calls send the cookie or the header
    finally:
        assert server.stop() == 0


def _sse_events(server, path, until, timeout=30):
    """(event, data) pairs read from an event stream until `until(events)` holds."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    f = sock.makefile("rb")
    status_line = f.readline().decode()
    headers = {}
    while True:
        line = f.readline().decode().rstrip("\r\n")
        if not line:
            break
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if not status_line.startswith("HTTP/1.1 200"):
        sock.close()
        return status_line, headers, []
    assert headers["content-type"].startswith("text/event-stream")
    events, event, data, buf = [], None, None, b""
    deadline = time.monotonic() + timeout
    # Chunked transfer: each chunk is "<hex size>\r\n<bytes>\r\n".
    while time.monotonic() < deadline and not until(events):
        size_line = f.readline()
        if not size_line:
            break
        size = int(size_line.strip() or b"0", 16)
        if size == 0:
            break
        buf += f.read(size)
        f.readline()
        while b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            event, data = None, None
            for line in block.decode().split("\n"):
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
            if event:
                events.append((event, data))
    sock.close()
    return status_line, headers, events


def test_events_of_a_live_run_and_of_the_project(repo, tmp_path):
    server = start_server(repo)
    try:
        status, body = server.get_json("/api/v1/project")
        skip_if_unimplemented(status, body)
        slow = write_script(tmp_path, "slow.py", (
            "import json, os, time\n"
            "with open(os.environ['TRAIL_METRICS'], 'a', buffering=1) as f:\n"
            "    for step in range(12):\n"
            "        f.write(json.dumps({'step': step, 'acc': step / 12}) + '\\n'); f.flush()\n"
            "        time.sleep(0.4)\n"))
        project_events = {}

        def watch_project():
            project_events["result"] = _sse_events(
                server, "/api/v1/events", lambda ev: any(e == "changed" and d["live"] for e, d in ev), timeout=30)

        import threading
        watcher = threading.Thread(target=watch_project)
        watcher.start()
        time.sleep(1.0)
        run = trail_popen("run", "--", PYTHON, slow, cwd=repo)
        try:
            live_id = wait_for(lambda: (server.get_json("/api/v1/runs")[1]["live"] or [{}])[0].get("id"),
                               timeout=20, what="the run to be live")
            status, body = server.get_json(f"/api/v1/runs/{live_id}")
            assert status == 200 and body["live"] is True and body["id"] == live_id
            status_line, headers, events = _sse_events(
                server, f"/api/v1/runs/{live_id}/events", lambda ev: any(e == "finished" for e, _ in ev), timeout=40)
            assert status_line.startswith("HTTP/1.1 200"), status_line
            names = [e for e, _ in events]
            assert names[0] == "status" and events[0][1] == {"status": "running"}
            assert "points" in names and names[-1] == "finished"
            assert names.index("points") < names.index("finished")
            assert events[-1][1]["status"] == "finished"
            steps = [s for e, d in events if e == "points" for s in d["metrics"].get("acc", {}).get("step", [])]
            assert steps and steps == sorted(steps)
        finally:
            assert run.wait(timeout=60) == 0
        watcher.join(timeout=40)
        _, _, pevents = project_events["result"]
        changed = [d for e, d in pevents if e == "changed"]
        assert changed and live_id in changed[-1]["live"]
        # A finished run's stream: one finished event, then the end.
        _, _, events = _sse_events(server, "/api/v1/runs/p-1/events", lambda ev: False, timeout=10)
        assert events == [("finished", {"status": "finished"})]
        status_line, _, _ = _sse_events(server, "/api/v1/runs/p-99/events", lambda ev: False, timeout=10)
        assert status_line.startswith("HTTP/1.1 404")
    finally:
        assert server.stop() == 0


def test_stored_files_and_data_head(ui, repo, tmp_path):
    (repo / "data").mkdir(exist_ok=True)
    csv = "x,label\n" + "".join(f"{i},{i % 2}\n" for i in range(400))
    (repo / "data" / "train.csv").write_text(csv)
    model = bytes(range(256)) * 64
    script = write_script(tmp_path, "save.py", (
        "import os\n"
        "os.makedirs('models', exist_ok=True)\n"
        f"open('models/model.bin', 'wb').write(bytes(range(256)) * 64)\n"))
    trail("run", "--data", "train=data/train.csv", "--artifact", "models/model.bin", "--", PYTHON, script, cwd=repo)
    status, runs = ui.get_json("/api/v1/runs?limit=1")
    run_id = runs["runs"][0]["id"]
    status, body = ui.get_json(f"/api/v1/runs/{run_id}")
    rec = body["record"]
    artifact = rec["artifacts"][0]
    data = rec["data"][0]

    status, headers, payload = ui.request("GET", f"/api/v1/runs/{run_id}/files/{artifact['oid']}")
    skip_if_unimplemented(status, json.loads(payload) if status == 500 else None)
    assert status == 200, payload
    assert payload == model
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"] == 'attachment; filename="model.bin"'
    # The input itself is named by the record but was never stored (not `trail add`ed): 404, and
    # the message says the store lacks it.
    status, _, payload = ui.request("GET", f"/api/v1/runs/{run_id}/files/{data['oid']}")
    assert status == 404 and "store" in json.loads(payload)["error"]["message"]
    status, _, payload = ui.request("GET", f"/api/v1/runs/{run_id}/files/{data['snapshot']['oid']}")
    assert status == 200 and payload.startswith(b"x,label\n")
    # Another run does not name these files: not served under it.
    status, _, _ = ui.request("GET", f"/api/v1/runs/p-1/files/{artifact['oid']}")
    assert status == 404

    status, head = ui.get_json(f"/api/v1/runs/{run_id}/data/train/head?rows=2")
    assert status == 200, head
    assert head["role"] == "train" and head["format"] == "csv" and head["source"] == "data/train.csv"
    assert head["instances"] == 400 and head["snapshot"]["oid"] == data["snapshot"]["oid"]
    assert head["header"] == ["x", "label"]
    assert 1 <= len(head["rows"]) <= 2 and all(len(r) == 2 for r in head["rows"])
    status, _ = ui.get_json(f"/api/v1/runs/{run_id}/data/train/head?rows=0")
    assert status == 400
    status, _ = ui.get_json(f"/api/v1/runs/{run_id}/data/nope/head")
    assert status == 404


def test_open_starts_the_browser_or_warns(repo, tmp_path):
    from conftest import env_with
    seen = tmp_path / "browser.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f"#!/bin/sh\necho \"$1\" > {seen}\n")
    browser.chmod(0o755)
    proc = trail_popen("ui", "--port", "0", "--open", cwd=repo, text=True, env=env_with(BROWSER=str(browser)))
    server = Server(proc, proc.stdout.readline())
    try:
        wait_for(lambda: seen.exists() and seen.read_text().strip(), what="the browser to start")
        assert seen.read_text().strip() == server.url
    finally:
        assert server.stop() == 0
    proc = trail_popen("ui", "--port", "0", "--open", cwd=repo, text=True,
                       env=env_with(BROWSER=str(tmp_path / "no-such-browser")))
    server = Server(proc, proc.stdout.readline())
    assert server.stop() == 0
    assert "could not start a browser" in proc.stderr.read()


def test_project_events_start_with_the_state_at_connect(ui):
    # A page lists runs, then opens the stream: a run that started in between must not be missed,
    # so the stream's first event is the state at connect, which the page refreshes on.
    status_line, headers, events = _sse_events(ui, "/api/v1/events", lambda ev: len(ev) >= 1, timeout=10)
    assert events, status_line
    event, data = events[0]
    status, project = ui.get_json("/api/v1/project")
    assert event == "changed" and data["initial"] is True
    assert data["tip"] == project["tip"] and data["live"] == []
