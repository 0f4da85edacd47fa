"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by the python playwright package.

No browser is ever downloaded: playwright launches ``/usr/bin/chromium`` (``executable_path``).
A missing browser FAILS the test with the fix in the message (``.ci/run`` installs it in CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("RETENTION_LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH = 1280


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's package (`sudo apt-get install -y chromium`; "
            ".ci/run does this in CI) or set RETENTION_LAB_CHROMIUM to a chromium binary",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": WIDTH, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    try:
        yield pg
    finally:
        ctx.close()


#: JavaScript: elements whose right edge is beyond the viewport width (tag, id/class, right edge).
OVERFLOWING_JS = """(width) => {
  const bad = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 0.5) bad.push(`${e.tagName}.${e.className || e.id} right=${r.right}`);
  }
  return bad;
}"""
