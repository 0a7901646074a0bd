"""What every benchmark needs: a database with lot_fefo_recall installed, and an
Odoo environment on it. Each benchmark creates its own fresh database (dropped at the
end) unless ``--db`` names an existing one where the add-on is installed."""

import argparse
import contextlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(description, modules="lot_fefo_recall", **extra):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", help="existing database with lot_fefo_recall installed")
    parser.add_argument("--keep", action="store_true", help="keep the database it creates")
    parser.set_defaults(modules=modules)
    for name, kwargs in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", **kwargs)
    return parser.parse_args()


def _write_config():
    import odoo.addons

    odoo_addons = [path for path in odoo.addons.__path__ if os.path.isdir(path)]
    handle, path = tempfile.mkstemp(suffix=".conf")
    with os.fdopen(handle, "w") as conf:
        conf.write("[options]\n")
        conf.write(f"addons_path = {','.join([REPO, *odoo_addons])}\n")
        conf.write(f"db_host = {os.environ.get('PGHOST', '127.0.0.1')}\n")
        conf.write(f"db_port = {os.environ.get('PGPORT', '5432')}\n")
        conf.write(f"db_user = {os.environ.get('PGUSER', os.environ.get('USER', 'root'))}\n")
        if os.environ.get("PGPASSWORD"):
            conf.write(f"db_password = {os.environ['PGPASSWORD']}\n")
    return path


@contextlib.contextmanager
def odoo_env(args):
    """Yield a superuser environment on the benchmark's database."""
    if importlib.util.find_spec("odoo") is None:
        sys.exit("Odoo 19 is not importable: install it first (see README).")
    conf = _write_config()
    # a benchmark comparing with Odoo alone creates a second database: its name differs
    db = args.db or f"lot_fefo_recall_bench_{os.getpid()}{getattr(args, 'db_suffix', '')}"
    created = False
    try:
        if not args.db:
            started = time.perf_counter()
            print(f"creating database {db} with {args.modules} ...", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "odoo",
                    "-c",
                    conf,
                    "-d",
                    db,
                    "-i",
                    args.modules,
                    "--stop-after-init",
                    "--log-level=warn",
                ],
                check=True,
            )
            created = True
            print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
        from odoo import api
        from odoo.modules.registry import Registry
        from odoo.tools import config

        config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
        registry = Registry(db)
        with registry.cursor() as cr:
            yield api.Environment(cr, api.SUPERUSER_ID, {})
    finally:
        if created and not args.keep:
            from odoo.sql_db import close_all

            close_all()
            subprocess.run(["dropdb", "--if-exists", db], check=False)
        os.unlink(conf)


@contextlib.contextmanager
def measure(env):
    """Time and count the SQL queries of the block; the result is filled on exit."""
    result = {}
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    yield result
    env.flush_all()
    result["seconds"] = time.perf_counter() - started
    result["queries"] = env.cr.sql_log_count - queries
