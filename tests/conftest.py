"""Shared fixtures: the bad-input corpus, the bundled samples, the real datasets, a
PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from workbench.paths import project_root, shared_data_path

# Property tests assert invariants, not speed: no per-example deadline (a loaded 2-core CI
# machine must not turn a slow first example into a failure).
settings.register_profile("workbench", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("workbench")

CORPUS = Path(__file__).parent / "data" / "corpus"

REAL_FILES = {
    "kaggle": "scms_delivery_history_kaggle/SCMS_Delivery_History_Dataset.csv",
    "usaid": "scms_shipment_pricing_usaid_export/Supply_Chain_Shipment_Pricing_Data.csv",
}


@pytest.fixture
def corpus() -> Path:
    """Folder of small, deliberately broken input files (tests/data/corpus)."""
    return CORPUS


@pytest.fixture(scope="session")
def root() -> Path:
    return project_root()


@pytest.fixture(scope="session")
def samples_dir(root: Path) -> Path:
    return root / "data" / "samples"


def _real(name: str) -> Path:
    path = shared_data_path(REAL_FILES[name])
    if not path.exists():
        pytest.skip(f"real dataset not available: {path} is absent (it lives in ../shared/ "
                    f"beside the project; set WORKBENCH_SHARED to its folder)")
    return path


@pytest.fixture(scope="session")
def real_kaggle() -> Path:
    """The 'Kaggle' copy of the SCMS delivery history (UTF-8 with BOM, CRLF)."""
    return _real("kaggle")


@pytest.fixture(scope="session")
def real_usaid() -> Path:
    """The data.usaid.gov-style copy of the same history (lower-case headers)."""
    return _real("usaid")


def _no_postgres(msg: str) -> None:
    """Skip, or fail under CI (WORKBENCH_REQUIRE_POSTGRES=1, set by .ci/run)."""
    if os.environ.get("WORKBENCH_REQUIRE_POSTGRES") == "1":
        pytest.fail(msg + " (WORKBENCH_REQUIRE_POSTGRES=1: CI must run the PostgreSQL tests)")
    pytest.skip(msg)


@pytest.fixture
def postgres_url():
    """URL of a new, empty PostgreSQL database for one test (created, then dropped).

    The server is named by ``WORKBENCH_TEST_POSTGRES`` (an SQLAlchemy URL of a user who
    may create databases, e.g. ``postgresql+psycopg://user:pass@localhost:5432/postgres``);
    ``.ci/run`` starts one. Without it the test skips locally and fails in CI.
    """
    import sqlalchemy as sa

    admin_text = os.environ.get("WORKBENCH_TEST_POSTGRES", "")
    if not admin_text:
        _no_postgres("PostgreSQL tests need a server: set WORKBENCH_TEST_POSTGRES to an "
                     "SQLAlchemy URL such as postgresql+psycopg://user:pass@localhost:5432/"
                     "postgres (.ci/run starts a local server)")
    admin = sa.make_url(admin_text)
    name = f"wb_test_{uuid.uuid4().hex[:16]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        _no_postgres(f"cannot create a test database on "
                     f"{admin.render_as_string(hide_password=True)}: {exc}")
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()
