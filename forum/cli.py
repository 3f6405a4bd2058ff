"""The porchlight command: serve, migrate, create-admin, seed-demo, makemigrations."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence

from forum import database
from forum.errors import InvalidInput
from forum.settings import Settings, SettingsError


def _settings() -> Settings:
    return Settings.from_environ()


def cmd_migrate(args: argparse.Namespace) -> int:
    asyncio.run(database.migrate(_settings()))
    print("Database is up to date.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from forum import server

    # Workers build their own settings from the environment: hand them the port we serve on,
    # so the default allowed origins match it.
    os.environ["PORCHLIGHT_PORT"] = str(args.port)
    settings = _settings()
    asyncio.run(database.migrate(settings))
    uvicorn.run(
        "forum.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        server_header=False,
        # A chat frame is small: a bigger one closes the socket before it is read whole.
        ws_max_size=65536,
        # Compression would cost every connection memory and CPU for messages this short.
        ws_per_message_deflate=False,
        log_level="info",
        # On SIGTERM open requests and sockets get this long to end; then they are cancelled
        # and the app shuts down, rather than a stuck connection holding a restart forever.
        timeout_graceful_shutdown=10,
        **server.uvicorn_options(),
        # A line per request written from the event loop cost half the throughput of a cached
        # page: off unless asked for. A reverse proxy in front usually keeps this log already.
        access_log=args.access_log,
    )
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from forum.accounts import services

    password = os.environ.get("PORCHLIGHT_ADMIN_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            print(
                "Set PORCHLIGHT_ADMIN_PASSWORD or run in a terminal to be asked.", file=sys.stderr
            )
            return 2
        password = getpass.getpass("Password for the new admin: ")

    async def create() -> None:
        async with database.connected(_settings()):
            await services.create_admin(args.username, args.email, password)

    try:
        asyncio.run(create())
    except InvalidInput as exc:
        for field, message in exc.fields.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 1
    print(f"Created administrator {args.username}.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from forum import seed

    async def run() -> str | None:
        async with database.connected(_settings()):
            return await seed.seed_demo()

    password = asyncio.run(run())
    if password is None:
        print("The database already has people in it; nothing was seeded.")
    else:
        print(
            "Seeded a demo neighbourhood. Demo accounts (admin: rosa, moderator: ibrahim, "
            f"members: june, theo, priya, walter) share the password: {password}"
        )
    return 0


def cmd_makemigrations(args: argparse.Namespace) -> int:
    if args.check:
        pending = asyncio.run(database.pending_model_changes())
        if pending:
            print(
                "Models have changes with no migration: run `porchlight makemigrations`.",
                file=sys.stderr,
            )
            return 1
        print("Migrations match the models.")
        return 0
    paths = asyncio.run(database.make_migrations(args.name))
    print("\n".join(paths) if paths else "No changes.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="porchlight", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server (applies migrations first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="log a line for every request (default: off; errors and start-up are still logged)",
    )
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    admin = sub.add_parser("create-admin", help="create an administrator")
    admin.add_argument("username")
    admin.add_argument("--email", required=True)
    admin.set_defaults(func=cmd_create_admin)
    sub.add_parser(
        "seed-demo", help="fill an empty database with a demo neighbourhood"
    ).set_defaults(func=cmd_seed_demo)
    make = sub.add_parser("makemigrations", help="write a migration for model changes")
    make.add_argument("--name")
    make.add_argument("--check", action="store_true", help="fail if a migration is missing")
    make.set_defaults(func=cmd_makemigrations)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SettingsError as exc:
        print(f"porchlight: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
