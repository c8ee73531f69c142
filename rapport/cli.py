"""The ``rapport`` command: run the server, migrate, manage keys, import and export.

Every option falls back to a ``RAPPORT_*`` environment variable, named in ``--help``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from rapport import __version__, errors, runtime
from rapport.audit import log as audit
from rapport.config import Settings
from rapport.db import migrate as migrations
from rapport.db.database import Database
from rapport.tenancy import api_keys, orgs
from rapport.tenancy.principal import Principal

app = typer.Typer(
    name="rapport",
    help=(
        "Rapport: the memory, pipeline and learning store for AI agents that talk to people.\n\n"
        "Examples:\n\n"
        "  rapport serve                              # API on http://127.0.0.1:8000\n\n"
        "  rapport keys create --org acme --role operator\n\n"
        "  rapport import conversations.jsonl --org acme\n\n"
        "  rapport export --org acme --output backup.jsonl\n\n"
        "  rapport demo --leads 300                   # a sales team on simulated leads"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
keys_app = typer.Typer(
    help=(
        "Create, list, rotate and revoke API keys.\n\n"
        "Examples:\n\n"
        "  rapport keys create --org acme --role viewer\n\n"
        "  rapport keys create --org acme --scopes read --expires-in 30d\n\n"
        "  rapport keys list --org acme\n\n"
        "  rapport keys rotate --org acme KEY_ID --overlap 1h\n\n"
        "  rapport keys revoke --org acme KEY_ID"
    ),
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")
db_app = typer.Typer(
    help=(
        "The database Rapport runs on.\n\n"
        "Examples:\n\n"
        '  rapport db leakproof | psql "$SUPERUSER_URL"   # indexes under row security'
    ),
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
retention_app = typer.Typer(
    help=(
        "Enforce each organization's retention policies (settings.retention).\n\n"
        "Examples:\n\n"
        "  rapport retention run                  # every organization\n\n"
        "  rapport retention run --org acme"
    ),
    no_args_is_help=True,
)
app.add_typer(retention_app, name="retention")
gdpr_app = typer.Typer(
    help=(
        "A person's data: everything held about a contact, or all of it erased (GDPR).\n\n"
        "Examples:\n\n"
        "  rapport gdpr export --org acme CONTACT_ID -o ana.json\n\n"
        "  rapport gdpr export --org acme CONTACT_ID --format csv -o ana.csv\n\n"
        "  rapport gdpr erase --org acme CONTACT_ID     # prints the signed receipt"
    ),
    no_args_is_help=True,
)
app.add_typer(gdpr_app, name="gdpr")

out = Console()
err = Console(stderr=True)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", envvar="RAPPORT_HOME", help="Folder of the embedded database."),
]
UrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="RAPPORT_DATABASE_URL",
        help="Use this PostgreSQL instead of the embedded one.",
    ),
]
OrgOption = Annotated[str, typer.Option("--org", help="Organization name.")]


def _settings(home: Path | None, database_url: str | None, **extra: Any) -> Settings:
    values: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if home is not None:
        values["home"] = home
    if database_url:
        values["database_url"] = database_url
    return Settings(**values)


def _connect(settings: Settings) -> Database:
    from rapport.privacy import keys

    keys.configure(settings)  # the vault's key and the receipts' signing key
    where = settings.database_url or f"the embedded database in {settings.home}"
    with err.status(f"Starting {where} and applying migrations…"):
        url = runtime.prepare(settings)
    return Database(url, min_size=1, max_size=4)


@contextlib.contextmanager
def _database(home: Path | None, database_url: str | None) -> Iterator[Database]:
    """The database for one command; a RapportError ends the command with its message."""
    database = _connect(_settings(home, database_url))
    try:
        yield database
    except errors.RapportError as error:
        _fail(error)
    finally:
        database.close()


def _fail(error: errors.RapportError) -> NoReturn:
    err.print(f"[red]error:[/red] {error.detail}")
    raise typer.Exit(1)


def _exit_normally(signum: int, frame: object) -> None:
    raise SystemExit(0)


@app.command()
def serve(
    home: HomeOption = None,
    database_url: UrlOption = None,
    host: Annotated[
        str, typer.Option(envvar="RAPPORT_HOST", help="Address to bind.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="RAPPORT_PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(envvar="RAPPORT_WORKERS", min=1, help="Server processes.")
    ] = 1,
) -> None:
    """Run the REST API (OpenAPI docs at /docs), on the embedded database by default.

    Applies migrations first. On the very first start it creates the organization
    "default" and prints an admin API key, once.

    Example: rapport serve --port 8080
    """
    import uvicorn

    # Python's default SIGTERM kills the process before atexit runs, which would leave the
    # embedded PostgreSQL behind. Exit normally instead, as on Ctrl-C, from the first moment
    # (uvicorn installs its own handler while it serves, and raises the signal again after
    # its graceful shutdown, which lands here).
    signal.signal(signal.SIGTERM, _exit_normally)
    settings = _settings(home, database_url, host=host, port=port)
    database = _connect(settings)
    try:
        if database.run(orgs.count_orgs()) == 0:
            org = database.run(orgs.ensure_org("default"))
            _, secret = database.run(api_keys.create_key(org["id"], "admin", "first admin key"))
            err.print(
                Panel(
                    "Organization [bold]default[/bold] created. Its admin API key, shown "
                    f"only now:\n\n[bold green]{secret}[/bold green]\n\n"
                    "Try it (KEY=<the key>):\n"
                    f'  curl -H "Authorization: Bearer $KEY" http://{host}:{port}/v1/org\n'
                    "Make keys of your own, then retire this one:\n"
                    "  rapport keys create --org default --role admin\n"
                    "  rapport keys list --org default\n"
                    "  rapport keys revoke --org default KEY_ID",
                    title="First start",
                )
            )
    finally:
        database.close()
    err.print(f"Rapport {__version__} on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    if workers == 1:
        from rapport.api.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    else:
        # Each worker builds the app from the same settings: it joins the same embedded
        # server (and helps supervise it) or the same configured one.
        if settings.embedded:
            os.environ["RAPPORT_HOME"] = str(settings.home.expanduser().resolve())
        else:
            os.environ["RAPPORT_DATABASE_URL"] = str(settings.database_url)
        uvicorn.run(
            "rapport.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )


@app.command()
def migrate(home: HomeOption = None, database_url: UrlOption = None) -> None:
    """Create or upgrade the database schema (also done by `rapport serve`).

    Example: RAPPORT_DATABASE_URL=postgresql://user@host/rapport rapport migrate
    """
    with _database(home, database_url) as database:
        revision = migrations.current_revision(database.url)
    out.print(f"Schema is at revision {revision} (latest: {migrations.head_revision()}).")


@db_app.command("leakproof")
def leakproof() -> None:
    """Print the statements a superuser runs once per database so that full-text search
    and tag filters use their indexes under row-level security (the migrations apply them
    themselves when they run as a superuser, as on the embedded database).

    Example: rapport db leakproof | psql "$SUPERUSER_URL"
    """
    from rapport.db import isolation

    for statement in isolation.LEAKPROOF:
        out.print(f"{statement};", highlight=False, soft_wrap=True)


def _duration(text: str, option: str) -> datetime.timedelta:
    """``90d``, ``12h``, ``30m`` or ``45s`` as a duration; a clear error otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text or "")
    if not match:
        raise typer.BadParameter(
            f"{text!r}: write a number and s, m, h or d, e.g. 90d", param_hint=option
        )
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
    return datetime.timedelta(seconds=int(match[1]) * seconds)


ScopesOption = Annotated[
    str | None,
    typer.Option(
        help="What the key may do, comma-separated: read, write, admin "
        "(default: all its role allows)."
    ),
]
ExpiresOption = Annotated[
    str | None, typer.Option("--expires-in", help="Stop working after this long, e.g. 90d.")
]


@app.command("worker")
def run_worker(home: HomeOption = None, database_url: UrlOption = None) -> None:
    """Run scheduled and queued jobs (retention every hour, and what later issues add) until
    stopped; jobs in hand finish first. `rapport serve` on the embedded database runs one
    in-process already; run this beside servers on your own PostgreSQL.

    Example: RAPPORT_DATABASE_URL=postgresql://owner@db/rapport rapport worker
    """
    import asyncio

    from rapport.jobs import worker

    signal.signal(signal.SIGTERM, _exit_normally)
    settings = _settings(home, database_url)
    where = settings.database_url or f"the embedded database in {settings.home}"
    with err.status(f"Starting {where} and applying migrations…"):
        url = runtime.prepare(settings)
    err.print(f"Rapport {__version__} worker on {where}: retention, then what is queued.")
    try:
        asyncio.run(worker.run_forever(settings, url))
    except KeyboardInterrupt:
        err.print("Worker stopped.")


@retention_app.command("run")
def retention_run(
    org: Annotated[str | None, typer.Option("--org", help="Only this organization.")] = None,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Delete what is past each organization's retention policies now (what the worker does
    every hour), except what a legal hold keeps; prints what each run removed.

    Example: rapport retention run --org acme
    """
    from rapport.retention import enforce

    with _database(home, database_url) as database:
        targets = [database.run(orgs.find_org(org))["id"]] if org else database.run(orgs.org_ids())
        for org_id in targets:
            cli = Principal(org_id, "owner", system="cli")
            record = database.run(
                audit.audited(enforce.run(cli, "request"), cli, "retention.run", {})
            )
            removed = ", ".join(f"{n} {kind}" for kind, n in record["removed"].items() if n)
            out.print(f"{org_id}: removed {removed or 'nothing'} (run {record['id']})")


@gdpr_app.command("export")
def gdpr_export(
    org: OrgOption,
    contact_id: Annotated[str, typer.Argument(help="The contact's id.")],
    format: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Everything held about one contact (audited, as an admin's export is).

    Example: rapport gdpr export --org acme 0193a0c4-... -o ana.json
    """
    from rapport.privacy import gdpr

    with _database(home, database_url) as database:
        cli = Principal(database.run(orgs.find_org(org))["id"], "owner", system="cli")
        found = database.run(gdpr.export(cli, contact_id, format))  # type: ignore[arg-type]
    text = (
        found
        if isinstance(found, str)
        else orjson.dumps(found, option=orjson.OPT_INDENT_2).decode()
    )
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text)
        err.print(f"wrote {output}")


@gdpr_app.command("erase")
def gdpr_erase(
    org: OrgOption,
    contact_id: Annotated[str, typer.Argument(help="The contact's id.")],
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Erase a contact and everything derived from them, for good (audited); prints the
    signed receipt. Refused while a legal hold covers them. Running it again prints the same
    receipt.

    Example: rapport gdpr erase --org acme 0193a0c4-...
    """
    from rapport.privacy import gdpr

    with _database(home, database_url) as database:
        cli = Principal(database.run(orgs.find_org(org))["id"], "owner", system="cli")
        written = database.run(
            audit.audited(gdpr.erase(cli, contact_id), cli, "gdpr.erase", {"id": contact_id})
        )
    out.print_json(orjson.dumps(written.value).decode())


@keys_app.command("create")
def keys_create(
    org: OrgOption,
    role: Annotated[
        str | None,
        typer.Option(
            help="owner, admin, operator (read and write data) or viewer "
            "(default: operator, or the weakest the scopes need)."
        ),
    ] = None,
    scopes: ScopesOption = None,
    expires_in: ExpiresOption = None,
    name: Annotated[str | None, typer.Option(help="A label to recognise the key by.")] = None,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Create an API key for an organization (created if new); prints the key last.

    Examples:

      KEY=$(rapport keys create --org acme --role operator | tail -n 1)

      rapport keys create --org acme --scopes read --expires-in 30d --name dashboard
    """
    wanted = [s.strip() for s in scopes.split(",") if s.strip()] if scopes is not None else None
    expires_at = _expiry(expires_in)
    with _database(home, database_url) as database:
        # Checked before ensure_org: a failed create leaves no new org behind.
        api_keys.key_terms(role, wanted, expires_at)
        found = database.run(orgs.ensure_org(org))
        cli = Principal(found["id"], "owner", system="cli")
        record, secret = database.run(
            audit.audited(
                api_keys.create_key(found["id"], role, name, scopes=wanted, expires_at=expires_at),
                cli, "keys.create", {"role": role, "scopes": wanted, "expires_at": expires_at},
            )
        )  # fmt: skip
    err.print(
        f"{'Created organization' if found['created'] else 'Organization'} {org!r}; "
        f"new {record['role']} key {record['prefix']}... with scopes "
        f"{', '.join(record['scopes'])}"
        f"{', expiring ' + str(record['expires_at']) if record['expires_at'] else ''}"
        " (shown only now):",
        soft_wrap=True,
    )
    print(secret)


def _expiry(expires_in: str | None) -> datetime.datetime | None:
    if expires_in is None:
        return None
    return datetime.datetime.now(datetime.UTC) + _duration(expires_in, "--expires-in")


@keys_app.command("rotate")
def keys_rotate(
    org: OrgOption,
    key_id: str,
    overlap: Annotated[
        str, typer.Option(help="How long the old secret keeps working, e.g. 1h or 7d.")
    ] = "24h",
    expires_in: ExpiresOption = None,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Give an API key a new secret (same name, role and scopes); the old one keeps working
    for the overlap, then stops. Prints the new key last.

    Example: NEW=$(rapport keys rotate --org acme KEY_ID --overlap 1h | tail -n 1)
    """
    window = _duration(overlap, "--overlap")
    expires_at = _expiry(expires_in)
    with _database(home, database_url) as database:
        found = database.run(orgs.find_org(org))
        cli = Principal(found["id"], "owner", system="cli")
        seconds = int(window.total_seconds())
        record = database.run(
            audit.audited(
                api_keys.rotate(cli, key_id, seconds, expires_at), cli, "keys.rotate",
                {"id": key_id, "overlap_seconds": seconds, "expires_at": expires_at},
            )
        )  # fmt: skip
    err.print(
        f"New secret for key {record['name'] or record['id']} ({record['prefix']}..., shown "
        f"only now); the old one ({record['replaces']['prefix']}...) works until "
        f"{record['replaces']['expires_at']}:",
        soft_wrap=True,
    )
    print(record["key"])


@keys_app.command("list")
def keys_list(org: OrgOption, home: HomeOption = None, database_url: UrlOption = None) -> None:
    """List an organization's API keys (never their secrets).

    Example: rapport keys list --org acme
    """
    with _database(home, database_url) as database:
        found = database.run(orgs.find_org(org))
        keys = database.run(api_keys.list_keys(Principal(found["id"], "owner")))
    # Ids and prefixes are never cut short: `keys revoke` needs the whole id.
    table = Table()
    table.add_column("id", no_wrap=True, min_width=36)
    table.add_column("prefix", no_wrap=True, min_width=11)
    for header in ("role", "scopes", "name", "created", "last used", "expires", "revoked"):
        table.add_column(header, overflow="fold")
    for key in keys:
        columns = ("id", "prefix", "role", "scopes", "name", "created_at", "last_used_at",
                   "expires_at", "revoked_at")  # fmt: skip
        table.add_row(*(",".join(key[c]) if c == "scopes" else str(key[c] or "") for c in columns))
    # Piped or redirected: one line per key, whatever the width (80 columns by default).
    (out if out.is_terminal else Console(width=240)).print(table)


@keys_app.command("revoke")
def keys_revoke(
    org: OrgOption, key_id: str, home: HomeOption = None, database_url: UrlOption = None
) -> None:
    """Revoke an API key by id (see `keys list`); every server refuses it from then on.

    Example: rapport keys revoke --org acme 0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e
    """
    with _database(home, database_url) as database:
        found = database.run(orgs.find_org(org))
        cli = Principal(found["id"], "owner", system="cli")
        database.run(
            audit.audited(api_keys.revoke_key(cli, key_id), cli, "keys.revoke", {"id": key_id})
        )
    out.print(f"Revoked {key_id}.")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    )


@app.command()
def demo(
    leads: Annotated[int, typer.Option(min=1, max=100_000, help="Simulated leads.")] = 300,
    org: Annotated[str, typer.Option("--org", help="Organization to fill.")] = "demo",
    seed: Annotated[int, typer.Option(help="Same seed, same leads.")] = 7,
    url: Annotated[
        str | None, typer.Option(help="A running server instead of in-process, e.g. http://…")
    ] = None,
    api_key: Annotated[str | None, typer.Option(help="API key for --url.")] = None,
    replies: Annotated[
        str | None, typer.Option(help="Reply plug-in module:Class (default: rule-based).")
    ] = None,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Run a supervisor, qualifier, objection handler and closer on simulated leads.

    Leads write over Instagram DM and WhatsApp or call in; everything goes through the
    public SDK and stays in the org (default "demo") for you to explore.

    Examples:

      rapport demo                      # 300 leads into org "demo", embedded database

      rapport demo --leads 50 --org trial

      rapport demo --url http://127.0.0.1:8000 --api-key rk_...
    """
    from rapport import demo as simulation
    from rapport.sdk import Client, Rapport

    if url and not api_key:
        err.print("[red]error:[/red] --url needs --api-key (rapport keys create --org NAME)")
        raise typer.Exit(2)
    try:
        if url and api_key:
            client: Any = Client(url, api_key, timeout=120)
        else:
            settings = _settings(home, database_url)
            with err.status("Starting the database and loading the embedding model…"):
                client = Rapport(org=org, settings=settings)
        with client:
            simulation.main(client, leads, seed, replies, out)
    except errors.RapportError as error:
        _fail(error)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .jsonl file.")],
    org: OrgOption = "default",
    stop_on_error: Annotated[
        bool, typer.Option(help="Stop at the first bad line instead of reporting it.")
    ] = False,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Import conversations, one seed 000 document per line (JSONL). Safe to re-run.

    Accepts what `rapport export` writes and MongoDB exports of seed 000's collection.
    A conversation already imported (same external_id, id or _id) is skipped.

    Example: rapport import conversations.jsonl --org acme
    """
    from rapport.conversations.portability import import_document

    database = _connect(_settings(home, database_url))
    tally = {"created": 0, "skipped": 0, "failed": 0}
    failures: list[str] = []
    try:
        principal = Principal(database.run(orgs.ensure_org(org))["id"], "owner")
        lines = file.read_bytes().splitlines()
        with _progress() as progress:
            task = progress.add_task(f"Importing {file.name}", total=len(lines))
            for number, line in enumerate(lines, start=1):
                progress.advance(task)
                if not line.strip():
                    continue
                try:
                    outcome, _ = database.run(import_document(principal, orjson.loads(line)))
                    tally[outcome] += 1
                except (errors.RapportError, orjson.JSONDecodeError) as error:
                    tally["failed"] += 1
                    detail = getattr(error, "detail", None) or f"not valid JSON ({error})"
                    failures.append(f"line {number}: {detail}")
                    if stop_on_error:
                        break
    finally:
        database.close()
    out.print(
        f"Imported {tally['created']} conversations, skipped {tally['skipped']} already "
        f"stored, {tally['failed']} failed."
    )
    for failure in failures[:50]:
        err.print(f"[red]{failure}[/red]")
    if len(failures) > 50:
        err.print(f"… and {len(failures) - 50} more")
    if failures:
        raise typer.Exit(1)


@app.command()
def export(
    org: OrgOption = "default",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Export an organization's conversations as JSONL, one seed 000 document per line.

    Example: rapport export --org acme -o acme.jsonl
    """
    from rapport.conversations.portability import count_conversations, export_documents

    database = _connect(_settings(home, database_url))
    sink = None
    written = 0
    try:
        principal = Principal(database.run(orgs.find_org(org))["id"], "owner")
        total = count_conversations(database, principal)
        # Opened only once the organization is found: a mistyped --org leaves the file alone.
        sink = output.open("wb") if output else sys.stdout.buffer
        with _progress() as progress:
            task = progress.add_task(f"Exporting {org}", total=total)
            for document in export_documents(database, principal):
                sink.write(orjson.dumps(document) + b"\n")
                written += 1
                progress.advance(task)
    except errors.RapportError as error:
        _fail(error)
    finally:
        database.close()
        if sink is not None and output:
            sink.close()
        elif sink is not None:
            sink.flush()
    err.print(f"Exported {written} conversations.")


@app.command()
def embed(
    backfill: Annotated[
        bool,
        typer.Option(
            "--backfill",
            help="Enrich everything still pending: messages, memories and knowledge chunks.",
        ),
    ] = False,
    org: Annotated[
        str | None, typer.Option(help="Only this organization (default: every one).")
    ] = None,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Compute embeddings (and, for messages, extraction) for rows stored without them.

    Data imported with `rapport import`, written while the server ran with
    RAPPORT_ENRICH=off, or stored before this version has no vectors yet; search finds it
    by words only until this runs. Safe to interrupt and re-run, and to run beside a server.

    Example: rapport embed --backfill --org acme
    """
    if not backfill:
        err.print("Nothing to do: pass --backfill to enrich what is pending.")
        raise typer.Exit(2)
    from rapport.memory import enrichment
    from rapport.memory.enricher import Enricher
    from rapport.tenancy import orgs

    with _database(home, database_url) as database:
        # An org that is not there is an error (a typo must not create one), as for export.
        enricher = Enricher(database)
        org_ids = [database.run(orgs.find_org(org))["id"]] if org else enricher.orgs_pending()
        total = sum(sum(database.run(enrichment.pending(o)).values()) for o in org_ids)
        if not total:
            out.print("Nothing pending: every message, memory and chunk has its embedding.")
            return
        with _progress() as progress:
            task = progress.add_task("Loading the embedding model", total=total)
            enricher.embedder  # noqa: B018 - load before the clock starts
            progress.update(task, description="Embedding")
            # extraction writes memories, which wait for embeddings in turn: the total grows
            done = enrichment.Done()
            for org_id in org_ids:
                done.add(
                    enricher.flush(
                        org_id,
                        lambda batch: progress.update(
                            task,
                            advance=batch.rows,
                            total=max(total, progress.tasks[0].completed + batch.rows),
                        ),
                    )
                )
        out.print(
            f"Enriched {done.messages} messages ({done.extracted} inbound read by the "
            f"extractor: {done.memories_written} memories written, "
            f"{done.objections_raised} objections "
            f"raised, {done.objections_resolved} resolved), {done.memories} memories and "
            f"{done.chunks} knowledge chunks in {done.seconds:.1f} s."
        )


def main() -> None:
    app()
