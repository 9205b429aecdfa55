"""The workspace in a real browser: Debian's Chromium driven by Playwright against the live server.

The browser is never downloaded: Playwright launches the system's ``/usr/bin/chromium``
(`bin/ensure-system-deps` installs the Debian package). Every page a test opens fails the test
on a console error, an uncaught script error or a request to any host but the live server.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run bin/ensure-system-deps chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # (factories, services) are still synchronous, so Django must not refuse them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
            )
            yield chromium
            chromium.close()
            # Connections opened while Playwright's loop runs in this thread belong to that loop's
            # context (asgiref's Local), not the thread's: closed here, or the test database
            # cannot be dropped at the end of the run ("being accessed by other users").
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(cookies=None, mobile=False)``: a page in a fresh browser context that records
    console errors, script errors and requests to other hosts; the test fails on any."""
    # The live server's request threads close their database connection after each request, so
    # none is left open (kept alive with the browser's connection) when the test database goes.
    database = connections["default"].settings_dict
    kept_age, database["CONN_MAX_AGE"] = database["CONN_MAX_AGE"], 0
    problems = []
    console_errors = []
    # A refused form comes back as 400 with its messages; Chromium logs that status on the console.
    refused_forms = set()
    contexts = []
    server = urlsplit(live_server.url).netloc

    def refused_form(response):
        request = response.request
        if response.status == 400 and request.method == "POST" and request.resource_type == "document":
            refused_forms.add(response.url)

    def watch(page):
        page.on(
            "console",
            lambda message: message.type == "error" and console_errors.append((message.text, message.location)),
        )
        page.on("response", refused_form)
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

        def guard(route):
            url = urlsplit(route.request.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.netloc != server:
                problems.append(f"request to another host: {route.request.url}")
                route.abort()
            else:
                route.continue_()

        page.route("**/*", guard)

    def make(cookies=None, mobile=False):
        options = {"base_url": live_server.url, "locale": "zh-CN"}
        if mobile:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        else:
            options.update(viewport={"width": 1280, "height": 900})
        context = browser.new_context(**options)
        contexts.append(context)
        if cookies:
            context.add_cookies([{**cookie, "url": live_server.url} for cookie in cookies])
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    database["CONN_MAX_AGE"] = kept_age
    for text, location in console_errors:
        if not (text.endswith("status of 400 (Bad Request)") and location.get("url") in refused_forms):
            problems.append(f"console error: {text} ({location.get('url')})")
    if problems:
        pytest.fail("The browser saw problems:\n" + "\n".join(problems))


@pytest.fixture
def page(new_page):
    """A page signed in as nobody."""
    return new_page()


@pytest.fixture
def signed_in_page(new_page):
    """``signed_in_page(user, language=None)``: a page whose browser holds that user's session
    (made server-side, as a sign-in would), optionally with the language cookie set."""

    def make(user, language=None, mobile=False):
        client = Client()
        client.force_login(user)
        cookies = [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}]
        if language:
            cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language})
        return new_page(cookies=cookies, mobile=mobile)

    return make


def save_screenshot(page, name):
    """Saves the whole page as var/screenshots/<name>.png and returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot():
    """``screenshot(page, name)``: see :func:`save_screenshot`."""
    return save_screenshot
