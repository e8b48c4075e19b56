"""Browser tests: Playwright's sync API driving the system Chromium (Debian package; nothing is
downloaded) against pytest-django's live server. One browser per session; a fresh context per
test. Screenshots go to $DINGDAN_SCREENSHOTS_DIR when set (docs/screenshots/ for the README),
else to the test's temporary directory."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dingdan.orders.tests.conftest import shop  # noqa: F401 (the orders tests' small shop)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser(django_db_setup: None) -> Iterator[Browser]:
    """Module-scoped, not session-scoped: while Playwright runs, its event loop is the running
    loop of this thread, and the ORM calls of the tests (and of database set-up and flush) are
    synchronous. Django's async-safety guard is relaxed only while the browser lives."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield launched
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    # Generous waits: the machine running the suite may be busy (assertions retry until then).
    context.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Any:
    directory = Path(os.environ.get("DINGDAN_SCREENSHOTS_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)

    def shoot(page: Page, name: str) -> Path:
        path = directory / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
