"""A real multi-worker Odoo 19 on loopback, for the concurrency tests and the load
benchmark.

``OdooServer`` creates a fresh database with lot_fefo_recall installed (or copies the
template named by ``LFR_CONC_TEMPLATE``, a database where the add-on is installed, which
is quicker while developing), starts ``odoo --workers=N --max-cron-threads=1`` on
127.0.0.1 with free ports, and stops everything itself: the server on exit, every
wait bounded by a deadline. ``Client`` speaks JSON-RPC to it the way the web client
does (a session cookie, ``/web/dataset/call_kw``), so each client is a real user.
``Db`` reads and writes the database directly, for assertions and for what only the
cron runner's own signal can do (``NOTIFY cron_trigger``).
"""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import psycopg2

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST = "127.0.0.1"
ADMIN = ("admin", "admin")

# what JSON-RPC answers when the server refused in the user's words
USER_ERRORS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.AccessDenied",
    "odoo.exceptions.MissingError",
    "odoo.exceptions.RedirectWarning",
}
# what PostgreSQL says on the errors Odoo's request retry retries, and what it logs when
# a request ran out of retries (odoo.service.model.retrying)
RETRIED_ERRORS = re.compile(
    r"^ERROR: (could not serialize access|deadlock detected|could not obtain lock)",
    re.MULTILINE,
)
RETRIES_EXHAUSTED = "maximum number of tries reached"


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def pg_env():
    return {
        "host": os.environ.get("PGHOST", HOST),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", os.environ.get("USER") or "root"),
        "password": os.environ.get("PGPASSWORD") or None,
    }


def wait_until(predicate, timeout, interval=0.2, what="condition"):
    """Poll ``predicate`` until it returns a true value; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(interval)


class RpcError(Exception):
    """An error answer of the server: ``name`` is the exception's class path."""

    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name") or error.get("message") or "?"
        self.message = data.get("message") or error.get("message") or ""
        self.debug = data.get("debug") or ""
        super().__init__(f"{self.name}: {self.message}")

    @property
    def is_user_error(self):
        return self.name in USER_ERRORS


class Client:
    """One user's session on the server, over JSON-RPC."""

    def __init__(self, url, db, login, password, timeout=60):
        self.url, self.db, self.login, self.timeout = url, db, login, timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self._id = 0
        info = self._post(
            "/web/session/authenticate", {"db": db, "login": login, "password": password}
        )
        self.uid = info["uid"]
        self.context = info.get("user_context") or {}

    def _post(self, path, params):
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": self._id, "params": params})
        request = urllib.request.Request(
            self.url + path, data=body.encode(), headers={"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            raise RpcError(answer["error"])
        return answer.get("result")

    def call(self, model, method, *args, context=None, **kwargs):
        kwargs["context"] = {**self.context, **(context or {})}
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def http_get(self, path):
        """GET ``path`` with this session: (status, body)."""
        try:
            with self.opener.open(self.url + path, timeout=self.timeout) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class Db:
    """Direct SQL on the rig's database (autocommit)."""

    def __init__(self, name):
        self.name = name
        self.cnx = psycopg2.connect(dbname=name, **pg_env())
        self.cnx.autocommit = True

    def all(self, query, params=None):
        with self.cnx.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def one(self, query, params=None):
        rows = self.all(query, params)
        return rows[0] if rows else None

    def value(self, query, params=None):
        row = self.one(query, params)
        return row[0] if row else None

    def execute(self, query, params=None):
        with self.cnx.cursor() as cr:
            cr.execute(query, params)

    def close(self):
        self.cnx.close()


class OdooServer:
    """A prefork Odoo server on a fresh database; use as a context manager."""

    def __init__(self, workers=2, cron_workers=1, modules="lot_fefo_recall", name="conc"):
        self.workers, self.cron_workers, self.modules = workers, cron_workers, modules
        self.db = f"lfr_{name}_{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
        self.port, self.gevent_port = free_port(), free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.tmp = tempfile.mkdtemp(prefix="lfr_rig_")
        self.log = os.path.join(self.tmp, "odoo.log")
        self.conf = os.path.join(self.tmp, "odoo.conf")
        self.proc = None
        self._write_config()

    # --- set up and tear down -------------------------------------------------------
    def _write_config(self):
        import odoo.addons

        odoo_addons = [path for path in odoo.addons.__path__ if os.path.isdir(path)]
        pg = pg_env()
        lines = [
            "[options]",
            f"addons_path = {','.join([REPO, *odoo_addons])}",
            f"db_host = {pg['host']}",
            f"db_port = {pg['port']}",
            f"db_user = {pg['user']}",
            f"db_name = {self.db}",
            f"dbfilter = ^{self.db}$",
            "list_db = False",
            f"http_interface = {HOST}",
            f"http_port = {self.port}",
            f"gevent_port = {self.gevent_port}",
            f"workers = {self.workers}",
            f"max_cron_threads = {self.cron_workers}",
            "limit_time_real = 120",
            "limit_time_cpu = 60",
            "limit_time_real_cron = 300",
            "limit_memory_soft = 2147483648",
            "limit_memory_hard = 2684354560",
            "db_maxconn = 16",
            "log_level = info",
            f"logfile = {self.log}",
        ]
        if pg["password"]:
            lines.append(f"db_password = {pg['password']}")
        with open(self.conf, "w") as conf:
            conf.write("\n".join(lines) + "\n")

    def create_database(self):
        template = os.environ.get("LFR_CONC_TEMPLATE")
        if template:
            subprocess.run(
                ["createdb", "-T", template, self.db], check=True, env=self._pg_cli_env()
            )
            return
        install_log = os.path.join(self.tmp, "install.log")
        with open(install_log, "w") as out:
            result = subprocess.run(
                [sys.executable, "-m", "odoo", "-c", self.conf, "-d", self.db, "-i", self.modules,
                 "--stop-after-init", "--workers=0", "--max-cron-threads=0", "--log-level=warn",
                 f"--logfile={install_log}"],
                stdout=out, stderr=subprocess.STDOUT, timeout=900, check=False,
            )  # fmt: skip
        if result.returncode:
            with open(install_log) as log:
                raise RuntimeError(f"installing {self.modules} failed:\n{log.read()[-5000:]}")

    def _pg_cli_env(self):
        pg = pg_env()
        env = dict(os.environ, PGHOST=pg["host"], PGPORT=str(pg["port"]), PGUSER=pg["user"])
        if pg["password"]:
            env["PGPASSWORD"] = pg["password"]
        return env

    def start(self):
        with open(os.path.join(self.tmp, "stderr.log"), "w") as stderr:
            # its own session: stop() signals the master and every worker at once
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "odoo", "-c", self.conf, "--no-database-list"],
                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
            )  # fmt: skip
        wait_until(self._healthy, 120, 0.5, "the server to answer")
        wait_until(lambda: len(self.worker_pids()) >= self.workers + self.cron_workers, 60, 0.5,
                   "the workers to start")  # fmt: skip

    def _healthy(self):
        if self.proc.poll() is not None:
            raise RuntimeError(
                f"the server exited with {self.proc.returncode}:\n{self.log_tail()}"
            )
        try:
            with urllib.request.urlopen(self.url + "/web/health", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        # orphans (a worker killed while busy) must not outlive the rig
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def drop_database(self):
        subprocess.run(
            ["dropdb", "--if-exists", "--force", self.db], env=self._pg_cli_env(), check=False
        )

    def __enter__(self):
        try:
            self.create_database()
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        if not os.environ.get("LFR_CONC_KEEP"):
            self.drop_database()

    # --- looking at it ------------------------------------------------------------
    def log_tail(self, chars=5000):
        with contextlib.suppress(FileNotFoundError), open(self.log, errors="replace") as log:
            return log.read()[-chars:]
        return ""

    def log_text(self):
        with contextlib.suppress(FileNotFoundError), open(self.log, errors="replace") as log:
            return log.read()
        return ""

    def server_errors(self, since=0):
        """Tracebacks and ERROR lines the server logged after offset ``since``.

        odoo.sql_db logs every failed query as an ERROR "bad query", among them the
        serialization failures, deadlocks and busy locks that Odoo's request retry
        (odoo.service.model.retrying) then retries: those are left out, and a request
        that ran out of retries counts instead. So is werkzeug's "Request timed out" of
        a connection opened and left idle (wkhtmltopdf does it when it fetches a
        report's CSS and fonts): Odoo itself logs it as INFO under test (see
        odoo.service.server.RequestHandler.log_error)."""
        errors = []
        for record in re.split(
            r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ )", self.log_text()[since:]
        ):
            first = record.split("\n", 1)[0]
            if RETRIES_EXHAUSTED in first:
                errors.append(first)
            elif " ERROR " in first or " CRITICAL " in first:
                if " odoo.sql_db: bad query" in first and RETRIED_ERRORS.search(record):
                    continue
                if " werkzeug: " in first and "Request timed out: TimeoutError" in first:
                    continue
                errors.append(first)
        return errors

    def log_offset(self):
        return len(self.log_text())

    def worker_pids(self):
        """Pids of the server's worker processes (children of the master)."""
        if not self.proc:
            return []
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.proc.pid and fields[0] != "Z":
                    pids.append(int(entry))
        return pids

    def client(self, login=ADMIN[0], password=None, timeout=60):
        return Client(
            self.url, self.db, login, password or (ADMIN[1] if login == ADMIN[0] else login)
        )

    # --- the cron runner ------------------------------------------------------------
    def trigger_crons(self, db=None):
        """Wake the cron workers as ``ir.cron._notifydb`` does: they listen on the
        ``postgres`` database's channel, the payload names the database."""
        with contextlib.closing(psycopg2.connect(dbname="postgres", **pg_env())) as cnx:
            cnx.autocommit = True
            with cnx.cursor() as cr:
                cr.execute("NOTIFY cron_trigger, %s", (self.db,))

    def run_cron(self, db, xmlid, timeout=180):
        """Make the job ``xmlid`` due now, wake the cron worker and wait until it has run
        to completion (its next call moved to the future and no progress pending)."""
        cron_id = self.cron_id(db, xmlid)
        db.execute("UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' - interval '1 minute', "
                   "active = true WHERE id = %s", (cron_id,))  # fmt: skip
        return self.wait_cron_done(db, cron_id, timeout)

    def wait_cron_done(self, db, cron_id, timeout=180):
        def done():
            due = db.value(
                "SELECT nextcall <= now() AT TIME ZONE 'UTC' OR EXISTS ("
                " SELECT 1 FROM ir_cron_trigger t WHERE t.cron_id = c.id"
                " AND t.call_at <= now() AT TIME ZONE 'UTC') FROM ir_cron c WHERE id = %s",
                (cron_id,),
            )
            if due:
                self.trigger_crons(db)
                return False
            return not self.cron_running_pid(db, cron_id)

        wait_until(done, timeout, 1.0, f"cron {cron_id} to finish")

    @staticmethod
    def cron_id(db, xmlid):
        module, name = xmlid.split(".")
        return db.value(
            "SELECT res_id FROM ir_model_data"
            " WHERE module = %s AND name = %s AND model = 'ir.cron'",
            (module, name),
        )

    def cron_running_pid(self, db, cron_id):
        """Pid of the Odoo process running job ``cron_id`` now (it holds the job's row
        lock), or None. Connections are named ``odoo-<pid>`` by Odoo."""
        with contextlib.closing(psycopg2.connect(dbname=self.db, **pg_env())) as probe:
            probe.autocommit = False
            with probe.cursor() as cr:
                cr.execute("SET lock_timeout = '100ms'")
                try:
                    cr.execute(
                        "SELECT id FROM ir_cron WHERE id = %s FOR NO KEY UPDATE NOWAIT", (cron_id,)
                    )
                    probe.rollback()
                    return None
                except psycopg2.errors.LockNotAvailable:
                    probe.rollback()
        rows = db.all(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.relation = 'ir_cron'::regclass AND l.mode = 'RowShareLock'"
            " AND a.datname = %s AND a.pid <> pg_backend_pid()",
            (self.db,),
        )
        for (app,) in rows:
            if app and app.startswith("odoo-") and app[5:].isdigit():
                return int(app[5:])
        return -1  # locked by someone we can not name

    def kill_worker(self, pid):
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: pid not in self.worker_pids(), 30, 0.2, f"worker {pid} to die")
        # the master spawns a new one
        wait_until(lambda: len(self.worker_pids()) >= self.workers + self.cron_workers, 60, 0.5,
                   "the master to replace the worker")  # fmt: skip
