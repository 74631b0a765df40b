"""Suite-wide report tidying: the PostgreSQL half, when skipped, is one summary line.

Without `TEST_DATABASE_URL` every storage test's PostgreSQL variant skips with the same reason;
listed one by one they were 80-odd lines that buried a real failure. Each such skip is filed
under one location, so pytest folds them into `SKIPPED [n] ...: TEST_DATABASE_URL not set: ...`
(the phrase `.ci/run` looks for).
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from tests.store import conftest as store_conftest
from tests.store.conftest import PG_SKIP

_WHERE = "tests/store/conftest.py"
_LINE = next(
    n
    for n, line in enumerate(Path(store_conftest.__file__).read_text().splitlines(), 1)
    if line.startswith("PG_SKIP")
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and PG_SKIP in str(longrepr[2]):
        report.longrepr = (_WHERE, _LINE, str(longrepr[2]))
    return report
