"""One multi-worker Odoo server for the whole concurrency session (see rig.py)."""

import importlib.util
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rig import Db, OdooServer


def pytest_sessionstart(session):
    if importlib.util.find_spec("odoo") is None:
        pytest.exit(
            "Odoo 19 is not importable: the concurrency rig needs it (see README).", returncode=2
        )


@pytest.fixture(scope="session")
def server():
    with OdooServer(workers=int(os.environ.get("LFR_CONC_WORKERS", "2"))) as odoo:
        yield odoo


@pytest.fixture(scope="session")
def db(server):
    connection = Db(server.db)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def admin(server):
    return server.client()


@pytest.fixture
def no_server_errors(server):
    """Fail the test when the server logged an ERROR while it ran."""
    offset = server.log_offset()
    yield
    errors = server.server_errors(offset)
    assert not errors, "the server logged errors:\n" + "\n".join(errors[:20])
