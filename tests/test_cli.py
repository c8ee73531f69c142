"""The ``rapport`` command end to end: the real program in subprocesses, on real homes.

Each home (``RAPPORT_HOME``) is a folder in tmp_path with its own embedded PostgreSQL. The
tests that need a brand-new home (migrate, serve) get one each; the others share one home for
the module, told apart by organization. Results are checked in the database itself, in this
process (``rapport.Rapport`` on the same home) or over HTTP.

The embedded engine stops a home's PostgreSQL when the last process using it exits; every home's
teardown stops what this process started, kills any server left running, and fails if a
process of that home (``postgres`` or ``rapport``) is still alive.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil
import pytest

import rapport
from rapport import errors
from rapport.config import Settings
from rapport.db import embedded
from rapport.db import migrate as migrations
from rapport.tenancy import api_keys

_SCRIPT = Path(sys.executable).with_name("rapport")
RAPPORT = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "from rapport.cli import main; main()"]
)
KEY = re.compile(r"rk_[A-Za-z0-9_-]{43}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def processes_of(home: Path) -> list[psutil.Process]:
    """Live processes whose command line names ``home``: its postmaster, or a rapport."""
    needle = str(home.resolve())
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        if process.pid == os.getpid() or process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        command = process.info["cmdline"] or []
        if any(needle in part for part in command):
            found.append(process)
    return found


class Server:
    """``rapport serve`` in a subprocess, its output in files."""

    def __init__(self, home: Home, port: int, log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.stdout_path = log.with_suffix(".out")
        self.stderr_path = log.with_suffix(".err")
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [*RAPPORT, "serve", "--port", str(port)],
                env=home.env(),
                cwd=home.path.parent,
                stdout=out,
                stderr=err,
            )

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait_ready(self, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"rapport serve exited with {self.process.returncode}:\n{self.stderr}"
                )
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"rapport serve did not answer in {timeout}s:\n{self.stderr}")

    def stop(self, how: signal.Signals = signal.SIGINT, timeout: float = 20) -> int:
        """Ask the server to stop as a user would; kill it if it does not."""
        if self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
                raise AssertionError(f"rapport serve ignored {how.name}:\n{self.stderr}") from None
        return self.process.returncode


class Home:
    """One RAPPORT_HOME: runs the command on it and reads its database in this process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.servers: list[Server] = []
        self._joined = False

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
        env["RAPPORT_HOME"] = str(self.path)
        return env

    def run(self, *args: Any, ok: bool | None = True) -> subprocess.CompletedProcess[str]:
        """``rapport *args``; ok=True expects exit 0, ok=False a failure, None either."""
        done = subprocess.run(
            [*RAPPORT, *map(str, args)],
            env=self.env(),
            cwd=self.path.parent,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if ok is not None:
            assert (done.returncode == 0) is ok, (
                f"rapport {' '.join(map(str, args))} exited {done.returncode}\n"
                f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
            )
        return done

    def serve(self, log_name: str) -> Server:
        server = Server(self, free_port(), self.path.parent / log_name)
        self.servers.append(server)
        return server

    def settings(self) -> Settings:
        """As the subprocesses see it: no RAPPORT_ variables (so the secret in the home)."""
        return Settings(home=self.path, database_url=None, secret_key=None)

    def join(self) -> str:
        """Start (or join) the home's PostgreSQL from this process; its URL."""
        self._joined = True
        return embedded.server_url(self.path)

    def local(self, org: str = "default", **options: Any) -> rapport.Rapport:
        self._joined = True
        return rapport.Rapport(org, settings=self.settings(), **options)

    def close(self) -> None:
        """Stop every server and this process's hold on PostgreSQL; fail on leftovers."""
        for server in self.servers:
            if server.process.poll() is None:
                with contextlib.suppress(AssertionError):
                    server.stop(signal.SIGINT, timeout=15)
        if self._joined:
            embedded.server(self.path).stop()
        deadline = time.monotonic() + 10
        while (left := processes_of(self.path)) and time.monotonic() < deadline:
            time.sleep(0.1)
        for process in left:
            with contextlib.suppress(psutil.Error):
                process.kill()
        assert not left, f"processes of {self.path} still running: {left}"


@pytest.fixture
def new_home(tmp_path: Path) -> Iterator[Home]:
    """A home that does not exist yet."""
    home = Home(tmp_path / "home")
    try:
        yield home
    finally:
        home.close()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    """One home for the module; this process keeps its PostgreSQL up between commands."""
    shared = Home(tmp_path_factory.mktemp("cli") / "home")
    try:
        shared.join()
        yield shared
    finally:
        shared.close()


def documents_of(home: Home, org: str) -> dict[str, dict[str, Any]]:
    """Every conversation document of an org, by external_id."""
    with home.local(org) as r:
        docs = [r.conversations.document(c["id"]) for c in r.conversations.iterate()]
    return {d["external_id"]: d for d in docs}


def tally(home: Home, org: str) -> dict[str, int]:
    with home.local(org) as r:
        return {
            name: getattr(r, name).count()
            for name in ("contacts", "conversations", "messages", "objections")
        }


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    path.write_bytes(
        b"".join(
            (line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n" for line in lines
        )
    )
    return path


# A conversation in Rapport's own shape (what `rapport export` writes, trimmed).
RAPPORT_DOC: dict[str, Any] = {
    "external_id": "wa-thread-1",
    "user_info": {
        "external_id": "crm-42",
        "name": "Jane Doe",
        "email": "Jane@Example.com",
        "phone": "+65 9123 4567",
    },
    "channel": "whatsapp",
    "status": "active",
    "sales_stage": "closing",
    "is_qualified": True,
    "current_agent": "closer",
    "conversation_history": [
        {
            "role": "user",
            "content": "Do you ship to Singapore?",
            "timestamp": "2025-01-15T09:30:00Z",
        },
        {
            "role": "agent",
            "agent_type": "closer",
            "content": "Yes, within 3 days.",
            "timestamp": "2025-01-15T09:31:00Z",
            "phase": None,
        },
    ],
    "memories": [],
    "qualification": {"budget": "$2k", "need": "pizza boxes", "score": 80},
    "objections": [],
    "follow_up": {"required": True, "scheduled_date": "2025-01-20T10:00:00Z", "reason": "invoice"},
    "metadata": {"source": "referral", "tags": ["b2b"]},
}

OID = "65a4f0c2e13b9a7d4c8b4567"

# Seed 000's document as `mongoexport` writes it: _id, extended JSON dates, qualification_details.
MONGO_DOC: dict[str, Any] = {
    "_id": {"$oid": OID},
    "user_id": "jane.smith_ig",
    "user_info": {
        "name": "Jane Smith",
        "email": "jane@smith.io",
        "instagram_handle": "@Jane.Smith_IG",
        "created_at": {"$date": "2024-01-10T08:00:00.000Z"},
        "last_interaction": {"$date": "2024-01-15T10:05:00.000Z"},
    },
    "status": "active",
    "sales_stage": "objection_handling",
    "is_qualified": None,
    "current_agent": "objection_handler",
    "channel": "instagram_dm",
    "conversation_history": [
        {
            "role": "user",
            "content": "Hi, how much is the course?",
            "timestamp": {"$date": "2024-01-15T10:00:00.000Z"},
        },
        {
            "role": "agent",
            "content": "It is $997. What budget did you have in mind?",
            "timestamp": {"$date": "2024-01-15T10:01:00.000Z"},
            "agent_type": "qualifier",
        },
        {
            "role": "user",
            "content": "That is too expensive for me.",
            "timestamp": {"$date": {"$numberLong": "1705312920000"}},  # 2024-01-15T10:02:00Z
        },
    ],
    "memories": [
        {
            "key": "budget",
            "value": "under $500",
            "timestamp": {"$date": "2024-01-15T10:02:00.000Z"},
            "extracted_by": "qualifier",
        }
    ],
    "qualification_details": {
        "budget": "under $500",
        "need": "learn trading",
        "authority": "self",
        "timeline": "this month",
        "score": 45,
    },
    "objections": [
        {
            "type": "price",
            "description": "too expensive",
            "raised_at": {"$date": "2024-01-15T10:02:00.000Z"},
            "resolved": False,
            "resolution": None,
        }
    ],
    "follow_up": {
        "required": True,
        "scheduled_date": {"$date": "2024-01-16T09:00:00.000Z"},
        "reason": "offer a payment plan",
        "notes": "mention split pay",
        "reminder_sent": False,
    },
    "metadata": {
        "source": "instagram_ad",
        "campaign": "jan24",
        "tags": ["hot-lead"],
        "lead_score": 72,
        "conversion_probability": 0.35,
    },
    "created_at": {"$date": "2024-01-15T10:00:00.000Z"},
    "updated_at": {"$date": "2024-01-15T10:02:00.000Z"},
    "completed_at": None,
}


# --- help ---------------------------------------------------------------------------------


def test_help_of_every_command_exits_0_with_examples(tmp_path: Path) -> None:
    commands = [
        [],
        ["serve"],
        ["migrate"],
        ["keys"],
        ["keys", "create"],
        ["keys", "list"],
        ["keys", "revoke"],
        ["keys", "rotate"],
        ["db"],
        ["db", "leakproof"],
        ["worker"],
        ["retention"],
        ["retention", "run"],
        ["gdpr"],
        ["gdpr", "export"],
        ["gdpr", "erase"],
        ["import"],
        ["export"],
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    running = [
        (
            command,
            subprocess.Popen(
                [*RAPPORT, *command, "--help"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for command in commands
    ]
    for command, process in running:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
        name = " ".join(["rapport", *command])
        assert process.returncode == 0, f"{name} --help: {stderr}"
        assert "Usage: rapport" in stdout, name
        assert re.search(r"Examples?:", stdout), f"{name} --help shows no example:\n{stdout}"
        example = " ".join(["rapport", *(command or ["import"])]) + " "
        lines = [line for line in stdout.splitlines() if "Usage:" not in line]
        assert any(example in line for line in lines), f"{name} --help: no `{example}...`"
    # --help only reads; it never creates a home.
    assert not (tmp_path / ".rapport").exists()


# --- migrate ------------------------------------------------------------------------------


def _schema(url: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
        ).fetchall()
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    return [*columns, *indexes, *version]


def test_migrate_creates_the_schema_then_is_a_no_op(new_home: Home, tmp_path: Path) -> None:
    head = migrations.head_revision()
    assert head
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    # --home, not RAPPORT_HOME: the option names the folder.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}

    def migrate() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*RAPPORT, "migrate", "--home", str(new_home.path)],
            env=env,
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )

    first = migrate()
    assert first.returncode == 0, first.stderr
    assert f"Schema is at revision {head} (latest: {head})." in first.stdout
    assert (new_home.path / "pgdata" / "PG_VERSION").exists()
    assert not (elsewhere / ".rapport").exists()
    assert not processes_of(new_home.path), "migrate left its PostgreSQL running"

    url = new_home.join()
    before = _schema(url)
    assert ("contacts", "phone") in {row[:2] for row in before}
    assert (head,) in before
    with new_home.local("sentinel") as r:
        kept = r.contacts.create(name="Kept", external_id="kept-1")

    again = migrate()
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert _schema(url) == before
    with new_home.local("sentinel") as r:
        assert r.contacts.list()["items"] == [kept]


# --- serve --------------------------------------------------------------------------------


def test_serve_first_start_prints_a_key_once_and_data_survives_a_restart(
    new_home: Home,
) -> None:
    first = new_home.serve("first")
    first.wait_ready()
    banner = first.stderr
    assert "First start" in banner
    [key] = KEY.findall(banner)  # printed once: no curl line repeats it
    assert "rapport keys revoke --org default" in banner  # and how to retire it
    assert f"http://127.0.0.1:{first.port}/docs" in banner

    with httpx.Client(base_url=first.url, timeout=10) as http:
        assert http.get("/healthz").status_code == 200
        docs = http.get("/docs")
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
        schema = http.get("/openapi.json")
        assert schema.status_code == 200
        assert "/v1/conversations" in schema.json()["paths"]

        assert http.get("/v1/org").status_code == 401
        assert http.get("/v1/org", headers={"Authorization": "Bearer rk_wrong"}).status_code == 401
        http.headers["Authorization"] = f"Bearer {key}"
        org = http.get("/v1/org")
        assert org.status_code == 200
        assert org.json()["name"] == "default"
        assert org.json()["role"] == "admin"

        made = http.post(
            "/v1/contacts", json={"name": "Jane Doe", "phone": "+65 9123 4567", "tags": ["vip"]}
        )
        assert made.status_code == 201, made.text
        contact = made.json()
        made = http.post(
            "/v1/conversations",
            json={
                "contact_id": contact["id"],
                "channel": "instagram_dm",
                "qualification": {"budget": "$5k/month", "score": 40},
                "follow_up": {"required": True, "scheduled_date": "2025-01-16T09:00:00Z"},
            },
        )
        assert made.status_code == 201, made.text
        conversation_id = made.json()["id"]
        sent = http.post(
            f"/v1/conversations/{conversation_id}/messages",
            json={"role": "user", "content": "Hi, is this still available?", "phase": None},
        )
        assert sent.status_code == 201, sent.text
        assert http.post("/v1/enrichment/flush", timeout=60).status_code == 200
        conversation = http.get(f"/v1/conversations/{conversation_id}").json()
        assert conversation["message_count"] == 1
        contact = http.get(f"/v1/contacts/{contact['id']}").json()
        assert contact["last_interaction"] is not None

    assert first.stop(signal.SIGINT) == 0, first.stderr
    # The last process using the home is gone, so its PostgreSQL is too: the second start
    # reads everything back from disk.
    assert not processes_of(new_home.path)

    second = new_home.serve("second")
    second.wait_ready()
    assert "First start" not in second.stderr
    assert not KEY.search(second.stderr), second.stderr
    with httpx.Client(
        base_url=second.url, timeout=10, headers={"Authorization": f"Bearer {key}"}
    ) as http:
        assert http.get("/v1/org").json()["name"] == "default"
        assert http.get(f"/v1/contacts/{contact['id']}").json() == contact
        assert http.get(f"/v1/conversations/{conversation_id}").json() == conversation
        history = http.get(f"/v1/conversations/{conversation_id}/messages").json()["items"]
        assert [m["content"] for m in history] == ["Hi, is this still available?"]
        assert len(http.get("/v1/keys").json()["items"]) == 1  # no second admin key
    assert second.stop(signal.SIGTERM) == 0, second.stderr


def _postmaster(home: Home) -> int:
    return int((home.path / "pgdata" / "postmaster.pid").read_text().split()[0])


def test_serve_restarts_a_dead_database_and_fails_fast_meanwhile(new_home: Home) -> None:
    server = new_home.serve("supervised")
    server.wait_ready()
    key = KEY.findall(server.stderr)[0]
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.url, timeout=10) as http:
        made = http.post("/v1/contacts", json={"name": "Survivor"}, headers=auth)
        assert made.status_code == 201, made.text
        os.kill(_postmaster(new_home), signal.SIGKILL)
        seen: list[int] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            started = time.monotonic()
            answer = http.get("/healthz")
            assert time.monotonic() - started < 2, "a request waited on the dead database"
            seen.append(answer.status_code)
            if answer.status_code == 503:
                assert answer.headers["retry-after"].isdigit()
                assert answer.json()["type"].endswith("/unavailable")
                refused = http.get(f"/v1/contacts/{made.json()['id']}", headers=auth)
                assert refused.status_code in (200, 503)  # 200 once it is back already
            elif 503 in seen:
                break
            time.sleep(0.05)
        assert 503 in seen, seen
        assert seen[-1] == 200, seen
        assert http.get("/healthz").json()["database_restarts"] >= 1
        assert http.get(f"/v1/contacts/{made.json()['id']}", headers=auth).json() == made.json()
    assert server.stop(signal.SIGTERM) == 0, server.stderr
    deadline = time.monotonic() + 10
    while processes_of(new_home.path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processes_of(new_home.path)


def test_serve_adopts_the_database_a_crashed_server_left_and_stops_it(new_home: Home) -> None:
    crashed = new_home.serve("crashed")
    crashed.wait_ready()
    crashed.process.kill()  # no cleanup at all: its PostgreSQL is orphaned
    crashed.process.wait(10)
    orphan = _postmaster(new_home)
    assert psutil.pid_exists(orphan)
    second = new_home.serve("adopting")
    second.wait_ready()
    assert _postmaster(new_home) == orphan  # reused, not a second server on the folder
    assert second.stop(signal.SIGTERM) == 0, second.stderr
    deadline = time.monotonic() + 10
    while processes_of(new_home.path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processes_of(new_home.path), "the adopted PostgreSQL was left running"


def test_an_sdk_script_that_never_closes_leaves_no_server_and_says_nothing(
    new_home: Home,
) -> None:
    # At exit the embedded server is stopped; the supervisor must not take that for a crash
    # and start it again (which left a postmaster behind and printed a failed stop). The
    # script's own last exit work takes a second, as a program's may: time to notice.
    script = (
        "import atexit, time; atexit.register(time.sleep, 1.5)\n"
        "import rapport; r = rapport.Rapport('script'); r.contacts.create({'name': 'A'})"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=new_home.env(), cwd=new_home.path.parent,
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "database is down" not in done.stderr, done.stderr
    assert "Failed" not in done.stderr, done.stderr
    deadline = time.monotonic() + 10
    while processes_of(new_home.path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processes_of(new_home.path), "the script's PostgreSQL was left running"


# --- keys ---------------------------------------------------------------------------------


def test_keys_create_list_and_revoke(home: Home) -> None:
    made = home.run("keys", "create", "--org", "acme-keys", "--role", "viewer", "--name", "ci")
    key = made.stdout.splitlines()[-1]
    assert KEY.fullmatch(key), made.stdout
    assert made.stdout == key + "\n"  # nothing else on stdout: $(... | tail -n 1) just works
    assert "Created organization 'acme-keys'" in made.stderr
    assert f"viewer key {key[:11]}" in made.stderr

    with home.local(api_key=key) as viewer:
        org = viewer.org()
        assert (org["name"], org["role"]) == ("acme-keys", "viewer")
        assert viewer.conversations.count() == 0
        with pytest.raises(errors.Forbidden):
            viewer.contacts.create(name="Not allowed")

    again = home.run("keys", "create", "--org", "acme-keys")
    assert "Organization 'acme-keys'; new operator key" in again.stderr
    other = again.stdout.strip()
    assert KEY.fullmatch(other)
    assert other != key

    listed = home.run("keys", "list", "--org", "acme-keys").stdout
    assert key not in listed
    assert other not in listed
    rows = {line for line in listed.splitlines() if UUID.search(line)}
    assert len(rows) == 2, listed
    row = next(line for line in rows if key[:11] in line)
    assert "viewer" in row
    assert " ci " in row
    key_id = UUID.search(row).group()  # type: ignore[union-attr]
    with home.local("acme-keys") as owner:
        stored = {k["id"]: k for k in owner.keys.list()}
    assert stored[key_id]["prefix"] == key[:11]
    assert stored[key_id]["revoked_at"] is None

    revoked = home.run("keys", "revoke", "--org", "acme-keys", key_id)
    assert f"Revoked {key_id}." in revoked.stdout
    with home.local("acme-keys") as owner:
        assert {k["id"]: k["revoked_at"] is not None for k in owner.keys.list()} == {
            key_id: True,
            next(i for i in stored if i != key_id): False,
        }
        with pytest.raises(errors.Unauthorized):
            owner.database.run(api_keys.authenticate(key))
        still = owner.database.run(api_keys.authenticate(other))
        assert (still.org_id, still.role) == (owner.principal.org_id, "operator")
    with pytest.raises(errors.Unauthorized):
        home.local(api_key=key)
    with home.local(api_key=other) as operator:
        assert operator.org()["role"] == "operator"

    unknown = "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"
    failed = home.run("keys", "revoke", "--org", "acme-keys", unknown, ok=False)
    assert f"no API key with id {unknown}" in failed.stderr


def test_keys_with_scopes_an_expiry_and_rotation(home: Home) -> None:
    made = home.run("keys", "create", "--org", "acme-scopes", "--scopes", "read",
                    "--expires-in", "30d", "--name", "dashboard")  # fmt: skip
    key = made.stdout.splitlines()[-1]
    assert KEY.fullmatch(key), made.stdout
    assert "viewer key" in made.stderr
    assert "scopes read" in made.stderr
    with home.local(api_key=key) as reader:
        assert reader.conversations.count() == 0
        with pytest.raises(errors.Forbidden, match="role or higher"):
            reader.contacts.create(name="Not allowed")
    with home.local("acme-scopes") as owner:
        [stored] = owner.keys.list()
    assert stored["scopes"] == ["read"]
    days = (datetime.fromisoformat(stored["expires_at"]) - datetime.now(UTC)).days
    assert days in (29, 30)

    rotated = home.run("keys", "rotate", "--org", "acme-scopes", stored["id"], "--overlap", "1h")
    new = rotated.stdout.splitlines()[-1]
    assert KEY.fullmatch(new), rotated.stdout
    assert new != key
    assert "the old one" in rotated.stderr
    for secret in (key, new):  # both work during the overlap
        with home.local(api_key=secret) as reader:
            assert reader.org()["role"] == "viewer"
    with home.local("acme-scopes") as owner:
        keys = {k["id"]: k for k in owner.keys.list()}
    old = keys[stored["id"]]
    assert old["replaced_by"] in keys
    left = datetime.fromisoformat(old["expires_at"]) - datetime.now(UTC)
    assert timedelta(minutes=55) < left <= timedelta(hours=1)
    assert keys[old["replaced_by"]]["scopes"] == ["read"]

    for wrong in (["--scopes", "admin", "--role", "viewer"], ["--expires-in", "soon"]):
        failed = home.run("keys", "create", "--org", "acme-scopes", *wrong, ok=False)
        assert failed.returncode in (1, 2), failed.stderr
        assert "Traceback" not in failed.stderr
        assert not KEY.search(failed.stdout)
    assert "viewer key cannot have admin" in home.run(
        "keys", "create", "--org", "acme-scopes", "--scopes", "admin", "--role", "viewer",
        ok=False,
    ).stderr  # fmt: skip


def test_keys_create_with_a_bad_role_fails_and_changes_nothing(home: Home) -> None:
    home.run("keys", "create", "--org", "acme-roles", "--role", "admin")
    for org in ("acme-roles", "acme-bogus"):
        bogus = home.run("keys", "create", "--org", org, "--role", "bogus", ok=False)
        assert bogus.returncode == 1
        assert "'bogus' is not one of owner, admin, operator, viewer" in bogus.stderr
        assert "Traceback" not in bogus.stderr
        assert not KEY.search(bogus.stdout + bogus.stderr)
    missing = home.run("keys", "list", "--org", "acme-bogus", ok=False)
    assert "no organization is called 'acme-bogus'" in missing.stderr  # not created either
    with home.local("acme-roles") as owner:
        assert [k["role"] for k in owner.keys.list()] == ["admin"]


def test_embed_for_an_org_that_does_not_exist_fails_and_creates_none(home: Home) -> None:
    typo = home.run("embed", "--backfill", "--org", "acme-tyop", ok=False)
    assert typo.returncode == 1
    assert "no organization is called 'acme-tyop'" in typo.stderr
    missing = home.run("keys", "list", "--org", "acme-tyop", ok=False)
    assert "no organization is called 'acme-tyop'" in missing.stderr


# --- import -------------------------------------------------------------------------------


def test_import_is_idempotent_and_reads_mongodb_exports(home: Home, tmp_path: Path) -> None:
    org = "acme-import"
    source = write_jsonl(tmp_path / "conversations.jsonl", [RAPPORT_DOC, b"", MONGO_DOC])

    first = home.run("import", source, "--org", org)
    assert "Imported 2 conversations, skipped 0 already stored, 0 failed." in first.stdout
    assert re.search(r"Importing conversations\.jsonl.*━.*3/3", first.stderr), first.stderr
    counts = tally(home, org)
    assert counts == {"contacts": 2, "conversations": 2, "messages": 5, "objections": 1}

    docs = documents_of(home, org)
    assert set(docs) == {"wa-thread-1", OID}
    mongo = docs[OID]
    assert mongo["user_id"] == "jane.smith_ig"
    assert mongo["user_info"]["name"] == "Jane Smith"
    assert mongo["user_info"]["instagram_handle"] == "jane.smith_ig"
    assert mongo["user_info"]["created_at"] == "2024-01-10T08:00:00+00:00"
    assert (mongo["status"], mongo["sales_stage"], mongo["is_qualified"]) == (
        "active",
        "objection_handling",
        None,
    )
    assert (mongo["current_agent"], mongo["channel"]) == ("objection_handler", "instagram_dm")
    history = mongo["conversation_history"]
    assert [(m["role"], m["agent_type"], m["content"], m["timestamp"]) for m in history] == [
        ("user", None, "Hi, how much is the course?", "2024-01-15T10:00:00+00:00"),
        (
            "agent",
            "qualifier",
            "It is $997. What budget did you have in mind?",
            "2024-01-15T10:01:00+00:00",
        ),
        ("user", None, "That is too expensive for me.", "2024-01-15T10:02:00+00:00"),
    ]
    assert mongo["qualification"] == {
        "budget": "under $500",
        "need": "learn trading",
        "authority": "self",
        "timeline": "this month",
        "score": 45,
    }
    [objection] = mongo["objections"]
    assert (objection["type"], objection["description"], objection["resolved"]) == (
        "price",
        "too expensive",
        False,
    )
    assert objection["raised_at"] == "2024-01-15T10:02:00+00:00"
    assert mongo["follow_up"] == {
        "required": True,
        "scheduled_date": "2024-01-16T09:00:00+00:00",
        "reason": "offer a payment plan",
        "notes": "mention split pay",
        "reminder_sent": False,
    }
    assert mongo["metadata"]["campaign"] == "jan24"
    assert mongo["metadata"]["tags"] == ["hot-lead"]
    assert mongo["metadata"]["conversion_probability"] == 0.35
    [memory] = mongo["memories"]  # a real memory of the contact now, in seed 000's shape
    assert (memory["key"], memory["value"], memory["extracted_by"]) == (
        "budget",
        "under $500",
        "qualifier",
    )
    assert memory["timestamp"] == "2024-01-15T10:02:00+00:00"
    assert mongo["created_at"] == "2024-01-15T10:00:00+00:00"
    assert mongo["message_count"] == 3

    ours = docs["wa-thread-1"]
    assert ours["user_id"] == "crm-42"
    assert ours["user_info"]["phone"] == "+6591234567"
    assert ours["user_info"]["email"] == "jane@example.com"
    assert [m["content"] for m in ours["conversation_history"]] == [
        "Do you ship to Singapore?",
        "Yes, within 3 days.",
    ]
    assert ours["qualification"]["budget"] == "$2k"
    assert ours["follow_up"]["scheduled_date"] == "2025-01-20T10:00:00+00:00"

    again = home.run("import", source, "--org", org)
    assert "Imported 0 conversations, skipped 2 already stored, 0 failed." in again.stdout
    assert tally(home, org) == counts
    assert documents_of(home, org) == docs


def test_import_reports_bad_lines_and_keeps_the_good_ones(home: Home, tmp_path: Path) -> None:
    def doc(key: str, user: str, **fields: Any) -> dict[str, Any]:
        return {
            "external_id": key,
            "user_info": {"external_id": user, "name": user},
            "channel": "sms",
            "conversation_history": [{"role": "user", "content": f"hello from {key}"}],
            **fields,
        }

    source = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            doc("good-1", "u1"),
            b'{"external_id": "broken", "channel": "sms",',
            doc("bad-enum", "u2", status="sleeping"),
            doc("good-2", "u3", objections=[{"type": "price"}]),
            {**doc("bad-shape", "u4"), "user_info": "Jane", "objections": 5},
            doc("bad-date", "u5", created_at={"$date": {"$numberLong": "yesterday"}}),
        ],
    )
    done = home.run("import", source, "--org", "acme-bad", ok=False)
    assert done.returncode == 1
    assert "Imported 2 conversations, skipped 0 already stored, 4 failed." in done.stdout
    assert re.search(r"line 2: not valid JSON", done.stderr), done.stderr
    assert re.search(r"line 3: status: Input should be 'active'", done.stderr), done.stderr
    assert re.search(r"line 5: user_info: expected a JSON object", done.stderr), done.stderr
    assert re.search(r"line 6: 'yesterday' is not a number", done.stderr), done.stderr
    assert not re.search(r"line [14]:", done.stderr)
    assert "Traceback" not in done.stderr
    assert set(documents_of(home, "acme-bad")) == {"good-1", "good-2"}
    counts = tally(home, "acme-bad")
    # The bad document is stored not at all: not even its contact.
    assert counts == {"contacts": 2, "conversations": 2, "messages": 2, "objections": 1}

    # Fixing the file and importing again adds just the fixed line.
    source.write_bytes(source.read_bytes().replace(b'"sleeping"', b'"abandoned"'))
    fixed = home.run("import", source, "--org", "acme-bad", ok=False)
    assert "Imported 1 conversations, skipped 2 already stored, 3 failed." in fixed.stdout
    assert documents_of(home, "acme-bad")["bad-enum"]["status"] == "abandoned"

    stopped = home.run("import", source, "--org", "acme-stop", "--stop-on-error", ok=False)
    assert "Imported 1 conversations, skipped 0 already stored, 1 failed." in stopped.stdout
    assert set(documents_of(home, "acme-stop")) == {"good-1"}


# --- export -------------------------------------------------------------------------------

DOCUMENT_KEYS = {
    "id",
    "user_id",
    "contact_id",
    "user_info",
    "status",
    "sales_stage",
    "is_qualified",
    "current_agent",
    "channel",
    "conversation_history",
    "memories",
    "qualification",
    "objections",
    "follow_up",
    "metadata",
    "created_at",
    "updated_at",
    "completed_at",
}


def _without_ids(document: dict[str, Any]) -> dict[str, Any]:
    """A document minus what a new org must assign anew: ids and row insertion times."""
    rest = {k: v for k, v in document.items() if k not in ("id", "contact_id", "external_id")}
    rest["conversation_history"] = [
        {
            k: v
            for k, v in m.items()
            if k not in ("id", "conversation_id", "contact_id", "created_at")
        }
        for m in document["conversation_history"]
    ]
    rest["objections"] = [
        {
            k: v
            for k, v in o.items()
            if k not in ("id", "conversation_id", "contact_id", "created_at", "updated_at")
        }
        for o in document["objections"]
    ]
    rest["memories"] = [{k: v for k, v in m.items() if k != "id"} for m in document["memories"]]
    rest["user_info"] = {k: v for k, v in document["user_info"].items() if k != "external_id"}
    return rest


def test_export_writes_documents_that_import_back_the_same(home: Home, tmp_path: Path) -> None:
    source_org, copy_org = "acme-export", "acme-export-copy"
    home.run(
        "import", write_jsonl(tmp_path / "in.jsonl", [RAPPORT_DOC, MONGO_DOC]), "--org", source_org
    )
    with home.local(source_org) as r:  # one conversation made through the SDK, no external ids
        contact = r.contacts.create(name="Walk In", instagram_handle="@walk.in")
        made = r.conversations.create(
            contact_id=contact["id"],
            channel="instagram_dm",
            qualification={"need": "a website", "score": 10},
            follow_up={"required": True, "scheduled_date": "2025-03-01T08:00:00Z", "notes": "x"},
            metadata={"source": "organic", "custom": {"nested": [1, 2]}},
        )
        r.conversations.append_messages(
            made["id"],
            [
                {"role": "user", "content": "first", "timestamp": "2025-02-01T10:00:00Z"},
                {"role": "agent", "content": "second", "phase": 2, "intent": "greet"},
            ],
        )
        r.objections.create(conversation_id=made["id"], type="trust", resolved=True)
        r.conversations.update(made["id"], status="completed", is_qualified=False)
        ids = sorted(c["id"] for c in r.conversations.iterate())  # export's order
        expected = [r.conversations.document(i) for i in ids]

    out = tmp_path / "out.jsonl"
    out.write_text("old backup\n")
    exported = home.run("export", "--org", source_org, "-o", out)
    assert "Exported 3 conversations." in exported.stderr
    assert exported.stdout == ""
    written = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert written == expected  # exactly what GET /v1/conversations/{id}/document returns
    for document in written:
        assert document.keys() >= DOCUMENT_KEYS
        assert {"name", "email", "instagram_handle", "created_at"} <= document["user_info"].keys()
        for memory in document["memories"]:
            assert {"key", "value", "text", "timestamp", "extracted_by"} <= memory.keys()
    assert len(written[2]["conversation_history"]) == 2
    assert written[2]["objections"][0]["type"] == "trust"

    to_stdout = home.run("export", "--org", source_org)
    assert [orjson.loads(line) for line in to_stdout.stdout.splitlines()] == written

    # A mistyped org fails and leaves an existing file alone.
    failed = home.run("export", "--org", "no-such-org", "-o", out, ok=False)
    assert "no organization is called 'no-such-org'" in failed.stderr
    assert [orjson.loads(line) for line in out.read_bytes().splitlines()] == written

    # The export imports into a new org; into the same org it is already there.
    assert (
        "Imported 0 conversations, skipped 3" in home.run("import", out, "--org", source_org).stdout
    )
    copied = home.run("import", out, "--org", copy_org)
    assert "Imported 3 conversations, skipped 0 already stored, 0 failed." in copied.stdout
    assert tally(home, copy_org) == tally(home, source_org)

    copies = documents_of(home, copy_org)
    for original in written:
        # A conversation (or contact) without an external id is keyed by its old id (user_id).
        copy = copies[original["external_id"] or original["id"]]
        assert copy["id"] != original["id"]
        assert copy["user_info"]["external_id"] == (
            original["user_info"]["external_id"] or original["user_id"]
        )
        assert [(m["role"], m["content"]) for m in copy["conversation_history"]] == [
            (m["role"], m["content"]) for m in original["conversation_history"]
        ]
        assert copy["qualification"] == original["qualification"]
        assert copy["follow_up"] == original["follow_up"]
        assert _without_ids(copy) == _without_ids(original)

    again = tmp_path / "again.jsonl"
    home.run("export", "--org", copy_org, "-o", again)
    round_trip = [orjson.loads(line) for line in again.read_bytes().splitlines()]
    assert [_without_ids(d) for d in round_trip] == [_without_ids(d) for d in written]


def test_gdpr_export_and_erase_from_the_command_line(home: Home, tmp_path: Path) -> None:
    org = "acme-gdpr"
    with home.local(org) as r:
        ana = r.contacts.create(name="Ana Quorblat")
        chat = r.conversations.create(contact_id=ana["id"], channel="sms")
        r.conversations.append_message(chat["id"], role="user", content="quorblat here")
        held = r.contacts.create(name="Held")
        hold = r.legal_holds.create(contact_id=held["id"], reason="Case 9")

    exported = orjson.loads(home.run("gdpr", "export", "--org", org, ana["id"]).stdout)
    assert exported["contact"]["name"] == "Ana Quorblat"
    assert [m["content"] for m in exported["messages"]] == ["quorblat here"]
    csv_file = tmp_path / "ana.csv"
    home.run("gdpr", "export", "--org", org, ana["id"], "--format", "csv", "-o", csv_file)
    assert csv_file.read_text().startswith("section,id,conversation_id,at,text,record")

    receipt = orjson.loads(home.run("gdpr", "erase", "--org", org, ana["id"]).stdout)
    assert receipt["contact_id"] == ana["id"]
    assert receipt["counts"]["messages"] == 1
    again = orjson.loads(home.run("gdpr", "erase", "--org", org, ana["id"]).stdout)
    assert again == receipt
    refused = home.run("gdpr", "erase", "--org", org, held["id"], ok=False)
    assert refused.returncode == 1
    assert f"legal hold {hold['id']} (Case 9)" in " ".join(refused.stderr.split())
    with home.local(org) as r:
        assert r.gdpr.receipt(receipt["id"])["valid"] is True
        assert r.contacts.get(held["id"])["name"] == "Held"
        actions = [e["action"] for e in r.audit.list()["items"]]
        assert actions.count("gdpr.erase") == 2
        assert actions.count("gdpr.export") == 2
