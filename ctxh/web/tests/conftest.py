"""What the tests driving a real headless Chromium share (Debian's /usr/bin/chromium, via Playwright): the
browser, a desktop-sized page in Vietnamese, and the folder for screenshots a person looks at."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM in the test itself is still safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CTXH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Assertions wait as long as actions do: a loaded CI machine answers an HTMX request in seconds.
    sync_api.expect.set_options(timeout=15_000)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser, live_server, transactional_db):
    """A page 1280 px wide, in Vietnamese, that waits up to 15 s for what a test expects. It is closed before
    the live server's database is emptied, so that no request of the page meets a half-emptied database."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone_page(browser, live_server, transactional_db):
    """A phone-sized (390 x 844) touch page in Vietnamese, closed before the live server's database is
    emptied."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def shots() -> Path:
    """Where screenshots go (not part of the project): /tmp/ctxh-shots/, or $CTXH_SHOTS."""
    folder = Path(os.environ.get("CTXH_SHOTS", "/tmp/ctxh-shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
