"""Comment tags and lexicon sentiment, English and Chinese (sim.analysis.satisfaction.text).

Hand-written sentences check the matching rules; a property test checks the sentiment
formula on sentences built from lexicon words; a simulated retail run checks that the tags
recover the simulator's comment topics (every templated comment gets exactly one tag, and
post-ticket comments name the ticket's cause far more often than chance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.analysis.satisfaction import text
from sim.errors import ConfigError, DataError


@pytest.mark.parametrize(
    ("comment", "tags"),
    [
        ("Delivery was late again.", "delivery"),
        ("The package never arrived", "delivery"),
        ("THE PRICE IS TOO HIGH", "price"),
        ("Way too expensive for what it is", "price"),
        ("Customer service replied too slowly.", "service"),
        ("The quality was poor, it arrived broken.", "quality"),
        ("Too many emails, nobody kept me informed", "communication"),
        ("I no longer need these.", "need"),
        ("物流太慢了。", "delivery"),
        ("价格太贵了。", "price"),
        ("客服回复太慢。", "service"),
        ("质量太差了，收到就坏了。", "quality"),
        ("沟通不及时，短信太多。", "communication"),
        ("现在不需要这些了。", "need"),
        ("快递很快但是价格贵", "delivery|price"),
        ("Great support, but shipping was slow and the price high", "delivery|price|service"),
        ("Thanks, all good!", ""),
        ("", ""),
    ],
)
def test_topic_tags_hand_examples(comment, tags):
    out = text.tag_comments([comment])
    assert out.loc[0, "tags"] == tags
    assert out.loc[0, "n_tags"] == (len(tags.split("|")) if tags else 0)
    assert list(out.columns) == [*text.DEFAULT_KEYWORDS, "tags", "n_tags"]


def test_english_keywords_match_at_word_starts_only():
    out = text.tag_comments(pd.Series(["Deliveries were fine", "redelivery requested", "Email spam", "needless"]))
    assert out["delivery"].tolist() == [True, False, False, False]
    assert out["communication"].tolist() == [False, False, True, False]
    assert out["need"].tolist() == [False, False, False, True]  # "need" starts "needless": a known false hit


def test_custom_keywords_and_frames_with_a_comment_column():
    frame = pd.DataFrame({"comment": ["Slow app", "slow website", None, "fine"]}, index=[4, 5, 6, 7])
    out = text.tag_comments(frame, keywords={"speed": ["slow", "慢"], "web": ["website", "app"]})
    assert out.index.tolist() == [4, 5, 6, 7]
    assert out["tags"].tolist() == ["speed|web", "speed|web", "", ""]


@pytest.mark.parametrize(
    ("comment", "score"),
    [
        ("Great service, very helpful!", 1.0),
        ("Poor service, the agent was unhelpful.", -1.0),
        ("Great product but delivery was slow.", 0.0),
        ("Good, good, bad", 1 / 3),
        ("not helpful", -1.0),
        ("wasn't good at all", -1.0),
        ("no problem, never late", 1.0),
        ("The price is fair.", 0.0),
        ("很满意", 1.0),
        ("不满意", -1.0),  # the longer entry wins: not "不" + positive "满意"
        ("不及时", -1.0),
        ("物流很快，满意", 1.0),
        ("物流太慢了", -1.0),
        ("还行", 0.0),
    ],
)
def test_sentiment_hand_examples(comment, score):
    assert text.comment_sentiment([comment]).iloc[0] == pytest.approx(score)


def test_empty_comments_have_no_sentiment_and_the_index_is_kept():
    s = text.comment_sentiment(pd.Series(["", None, "good"], index=["a", "b", "c"]))
    assert s.name == "sentiment" and s.index.tolist() == ["a", "b", "c"]
    assert np.isnan(s["a"]) and np.isnan(s["b"]) and s["c"] == 1.0


_POS = ["great", "excellent", "happy", "helpful", "fast", "perfect", "friendly"]
_NEG = ["poor", "terrible", "rude", "awful", "disappointed", "worst", "annoying"]
_NEUTRAL = ["the", "order", "was", "and", "then", "it", "came"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_POS + _NEG + _NEUTRAL), min_size=1, max_size=15))
def test_sentiment_is_positive_minus_negative_over_their_sum(words):
    pos = sum(w in _POS for w in words)
    neg = sum(w in _NEG for w in words)
    want = 0.0 if pos + neg == 0 else (pos - neg) / (pos + neg)
    got = text.comment_sentiment([" ".join(words)]).iloc[0]
    assert got == pytest.approx(want)
    assert -1.0 <= got <= 1.0


def test_inputs_are_not_modified():
    s = pd.Series(["Delivery was late", None])
    before = s.copy()
    text.tag_comments(s)
    text.comment_sentiment(s)
    pd.testing.assert_series_equal(s, before)


def test_bad_inputs_are_refused():
    with pytest.raises(DataError, match="must be text") as err:
        text.tag_comments(pd.Series(["ok", 3]))
    assert (err.value.table, err.value.column, err.value.rows) == ("comments", "comment", [1])
    with pytest.raises(DataError, match="missing column 'comment'"):
        text.tag_comments(pd.DataFrame({"text": ["a"]}))
    with pytest.raises(DataError, match="expected a Series"):
        text.comment_sentiment("just one string")
    with pytest.raises(ConfigError, match="keywords"):
        text.tag_comments(["a"], keywords={"x": []})
    with pytest.raises(ConfigError, match="keywords"):
        text.tag_comments(["a"], keywords=["price"])
    with pytest.raises(ConfigError, match="positive"):
        text.comment_sentiment(["a"], lexicon={"negative": ["bad"]})


@pytest.fixture(scope="module")
def retail_run() -> sim.Result:
    scenario = sim.Scenario.load("retail").updated({"surveys.comment_rate": 1.0})
    return sim.run(scenario, customers=3000, days=365, seed=21)


@pytest.mark.timeout(120)
def test_tags_recover_the_simulated_comment_topics(retail_run):
    surveys = retail_run.surveys
    commented = surveys[surveys["comment"] != ""]
    assert len(commented) > 200
    tags = text.tag_comments(commented)
    assert (tags["n_tags"] == 1).all(), commented.loc[tags["n_tags"] != 1, "comment"].head().tolist()
    # after a ticket, the comment mostly names the ticket's cause (complaint causes -> topics)
    cause_topic = {"product": "quality", "service": "service", "price": "price", "communication": "communication"}
    tickets = retail_run.tickets.set_index("ticket_id")["cause"]
    after = commented[commented["ticket_id"] >= 0]
    assert len(after) > 30
    expected = after["ticket_id"].map(tickets).map(cause_topic)
    agree = (tags.loc[after.index, "tags"] == expected).mean()
    rng = np.random.default_rng(0)
    chance = np.mean(
        [(tags.loc[after.index, "tags"].to_numpy() == rng.permutation(expected.to_numpy())).mean() for _ in range(50)]
    )
    assert agree > 0.5 and agree > chance + 0.2, (agree, chance)


@pytest.mark.timeout(120)
def test_sentiment_follows_the_score_and_latent_satisfaction(retail_run):
    surveys = retail_run.surveys
    c = surveys[(surveys["comment"] != "") & (surveys["instrument"] == "csat")]
    s = text.comment_sentiment(c)
    low, high = s[c["score"] <= 2].mean(), s[c["score"] >= 4].mean()
    assert low < 0 < high
    # the simulator draws a comment's sentiment from latent satisfaction: the lexicon score tracks it
    rho = pd.Series(s.to_numpy()).corr(pd.Series(c["true_satisfaction"].to_numpy(dtype=float)), method="spearman")
    assert rho > 0.5
