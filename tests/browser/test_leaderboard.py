"""The tournament leaderboard renders in a real browser at 1280 px: rows, tie markers, reasons, nothing cut off."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser.conftest import OVERFLOWING_JS, WIDTH
from sim.config.policy import PRESET_DIR
from sim.experiments.tournament import tournament

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    root = tmp_path_factory.mktemp("board")
    teams = root / "teams"
    teams.mkdir()
    (teams / "plain.yaml").write_text("name: plain\n", encoding="utf-8")
    (teams / "desk_a.yaml").write_text("name: desk_a\nservice: {extra_agents: 2}\n", encoding="utf-8")
    (teams / "desk_b.yaml").write_text("name: desk_b\nservice: {extra_agents: 2}\n", encoding="utf-8")
    (teams / "spray.yaml").write_text((Path(PRESET_DIR) / "spray_and_pray.yaml").read_text(encoding="utf-8"))
    (teams / "broken.yaml").write_text("name: broken\n<script>alert(1)</script>: [\n", encoding="utf-8")
    (root / "secret.txt").write_text("browser test secret 2c5e81", encoding="utf-8")
    t = tournament(
        teams,
        "baseline",
        root / "secret.txt",
        replications=3,
        customers=200,
        days=120,
        engine="local",
        progress=False,
        constraints={"compliance_incidents": 0},
    )
    return t, t.to_dir(root / "out")


def test_leaderboard_renders_rows_ties_and_reasons_at_1280px(board, page):
    t, out = board
    page.goto((out / "leaderboard.html").as_uri())
    assert page.title().startswith("Policy tournament") and "Policy tournament" in page.inner_text("h1")
    for section in ("setup", "how-to-read", "leaderboard", "notes", "methods"):
        assert page.locator(f"h2#{section}").count() == 1, section
    rows = page.locator("#leaderboard-table tr[data-status]")
    assert rows.count() == len(t.leaderboard)
    # the table's rows are the leaderboard's, in its order, with its statuses
    assert rows.evaluate_all("els => els.map(e => e.dataset.status)") == list(t.leaderboard["status"])
    names = [
        n.split("\n")[0] for n in page.locator("#leaderboard-table tr[data-status] td:nth-child(2)").all_inner_texts()
    ]
    assert names == list(t.leaderboard["team"])
    # tie markers: one per tied team, each "=r" with the team's rank
    tied = t.leaderboard[t.leaderboard["tied"]]
    assert len(tied) >= 2  # desk_a and desk_b are the same policy
    marks = page.locator("#leaderboard-table span.tie").all_inner_texts()
    assert marks == list(tied["rank_label"]) and all(m.startswith("=") for m in marks)
    # disqualified and invalid rows carry their reason; the submitted markup is shown as text, not run
    dq = page.locator("tr[data-status=disqualified] td.reason").all_inner_texts()
    assert len(dq) == 1 and "compliance_incidents" in dq[0]
    bad = page.locator("tr[data-status=invalid] td.reason").all_inner_texts()
    assert len(bad) == 1 and "not valid YAML" in bad[0]
    assert page.locator("script").count() == 0
    assert "hidden seeds" in page.inner_text("table.setup")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert page.evaluate(OVERFLOWING_JS, WIDTH) == []
