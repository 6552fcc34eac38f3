"""Shared fixtures: the bad-input corpus, the bundled samples, the real datasets."""

from __future__ import annotations

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
