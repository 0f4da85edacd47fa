"""`make lab` opens the course index RENDERED, with clickable chapter links (issue 9).

The test runs the Makefile's ``lab`` target itself (same settings: ``jupyter_config/``) on a
free local port with a token it chooses, loads the landing URL in headless Chromium, checks
what actually renders, and stops the server. JupyterLab's writes go to a temporary folder.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]
INDEX = ROOT / "notebooks" / "README.md"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _chapter_files() -> list[str]:
    """The chapter notebooks the index links to (markdown links to ``NN_*.ipynb`` in notebooks/)."""
    return sorted(set(re.findall(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", INDEX.read_text(encoding="utf-8"))))


@pytest.fixture
def lab(tmp_path):
    """JupyterLab started by ``make lab`` on a free port; yields (base URL, token); stopped afterwards."""
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, CI="1", JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    args = f"--ServerApp.ip=127.0.0.1 --LabApp.workspaces_dir={tmp_path / 'ws'} --LabApp.user_settings_dir={tmp_path / 'us'}"
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(
        ["make", "-s", "--no-print-directory", "-o", ".venv/.installed-lab", "lab", f"PORT={port}", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one below
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with {proc.returncode}:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within 90 s:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def test_make_lab_lands_on_the_rendered_course_index_with_chapter_links(lab, page):
    base, token = lab
    chapters = _chapter_files()
    assert len(chapters) >= 3, chapters  # the index lists the available chapters
    page.goto(f"{base}/?token={token}")  # what `make lab` opens: the server's default URL
    page.wait_for_url(re.compile(r"/lab/tree/notebooks/README\.md"))
    heading = page.locator(".jp-MarkdownViewer .jp-RenderedMarkdown h1").first
    page.locator(".jp-MarkdownViewer .jp-RenderedMarkdown h1, .jp-FileEditor").first.wait_for(timeout=90_000)
    # rendered, not the Markdown source in an editor
    assert page.locator(".jp-FileEditor:visible").count() == 0, "the course index opened as Markdown source"
    assert "course index" in heading.inner_text()
    assert "| # | Chapter |" not in page.locator(".jp-MarkdownViewer").inner_text()
    links = page.eval_on_selector_all(
        ".jp-MarkdownViewer .jp-RenderedMarkdown a", "els => els.map(e => e.getAttribute('href') || '')"
    )
    for nb in chapters:
        assert any(h.split("?")[0].endswith(f"notebooks/{nb}") or h == nb for h in links), (nb, links)
    first = page.locator(".jp-MarkdownViewer .jp-RenderedMarkdown a", has_text=chapters[0]).first
    assert first.is_visible() and first.is_enabled()
