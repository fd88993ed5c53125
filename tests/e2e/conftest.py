"""One studio server and one headless Chromium for the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from engine import cancel_run, list_runs
from tests.e2e.studio import VIEWPORT, launch, studio_server

LIVE = ("queued", "running")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # one xdist worker runs them all, against one server
        if "e2e" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def e2e_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e") / "runs"


@pytest.fixture(scope="session")
def studio(e2e_runs: Path) -> Iterator[str]:
    """The URL of a real ``streamlit run app.py`` with its own store."""
    e2e_runs.mkdir(parents=True, exist_ok=True)
    with studio_server(e2e_runs) as url:
        yield url
    for run in list_runs(e2e_runs).itertuples():  # runs outlive the server: stop leftovers
        if run.status in LIVE:
            cancel_run(run.run_id, e2e_runs)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def _page(browser: Browser, locale: str, timeout_ms: int) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, "en-US", 30_000)


@pytest.fixture
def ja_page(browser: Browser) -> Iterator[Page]:
    """A page of a browser that asks for Japanese (the studio follows the browser's language)."""
    yield from _page(browser, "ja-JP", 60_000)
