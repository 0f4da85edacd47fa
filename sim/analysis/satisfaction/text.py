"""Free-text survey comments: topic tags from keyword lists and a lexicon sentiment score (English and Chinese).

Deliberately simple and transparent (the point of the exercise is to see what keyword rules
catch and what they miss), hand-written in a few lines because no maintained library tags
mixed English / Chinese text with a lexicon the trainee can read and edit:

* :func:`tag_comments` -- a comment gets topic ``T`` if it contains one of ``T``'s keywords.
  English keywords match at the start of a word, case-insensitively (``deliver`` matches
  "Delivery" and "delivered", not "undelivered"); Chinese keywords match anywhere (Chinese is
  written without spaces). A comment may get several topics, or none.
* :func:`comment_sentiment` -- ``(positive - negative) / (positive + negative)`` over the
  lexicon words found, in [-1, 1], 0 when none is found. Longer entries win over the words
  they contain (``不满意`` is one negative word, not ``不`` + the positive ``满意``), and an English
  word right after ``not`` / ``no`` / ``never`` / ``n't`` (within two words) counts with the
  opposite sign ("not helpful").

Both take a Series (or a list, or a frame with a ``comment`` column); empty comments give no
tags and sentiment NaN. Keywords are lists to edit: pass your own ``keywords=`` / ``lexicon=``.

Examples
--------
>>> import pandas as pd
>>> c = pd.Series(["Delivery was late again.", "客服很耐心，非常满意！", ""])
>>> tag_comments(c)["tags"].tolist()
['delivery', 'service', '']
>>> comment_sentiment(c).tolist()
[-1.0, 1.0, nan]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.errors import ConfigError, DataError

__all__ = ["DEFAULT_KEYWORDS", "DEFAULT_LEXICON", "NEGATIONS", "tag_comments", "comment_sentiment"]

#: Topic keywords (English word starts, lower case; Chinese substrings). The topics are those
#: of the simulator's comments and of the complaint causes (product quality, delivery, price,
#: service, communication, no longer needing the product).
DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "quality": ("quality", "broken", "defect", "faulty", "damaged", "质量", "坏", "破损", "瑕疵", "做工", "次品"),
    "delivery": ("deliver", "shipping", "shipment", "package", "parcel", "courier",
                 "物流", "快递", "配送", "发货", "送货", "包裹"),
    "price": ("price", "pricing", "expensive", "cheap", "overpriced", "discount", "value for money",
              "价格", "价钱", "贵", "便宜", "划算", "实惠", "性价比", "优惠"),
    "service": ("service", "support", "agent", "staff", "helpdesk", "客服", "服务", "售后"),
    "communication": ("communication", "email", "e-mail", "informed", "newsletter", "message", "spam", "sms",
                      "notif", "沟通", "通知", "短信", "邮件", "推送"),
    "need": ("need", "no longer use", "需要", "用不上"),
}  # fmt: skip

#: Sentiment lexicon: English words (whole words, lower case) and Chinese entries (substrings).
DEFAULT_LEXICON: dict[str, tuple[str, ...]] = {
    "positive": ("great", "excellent", "good", "happy", "helpful", "fast", "quick", "quickly", "clear", "love",
                 "perfect", "satisfied", "recommend", "friendly", "smooth", "best", "amazing", "nice", "easy",
                 "solved", "resolved", "polite", "patient",
                 "很好", "好评", "满意", "很快", "实惠", "划算", "耐心", "解决", "顺畅", "及时", "超出预期",
                 "性价比高", "喜欢", "推荐", "不错", "完美"),
    "negative": ("poor", "bad", "late", "slow", "slowly", "broken", "disappointed", "disappointing", "unhelpful",
                 "rude", "terrible", "awful", "expensive", "overpriced", "worst", "damaged", "faulty", "wrong",
                 "annoying", "spam", "elsewhere", "nobody", "too many", "too much", "too long", "too high",
                 "no longer",
                 "差", "失望", "慢", "坏", "晚", "太贵", "不满意", "不好", "不及时", "太多", "没人", "不需要", "不再",
                 "投诉", "垃圾", "退货", "别家"),
}  # fmt: skip

#: English words that flip the sign of a sentiment word up to two words later.
NEGATIONS: tuple[str, ...] = ("not", "no", "never", "n't", "nothing", "hardly")

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|n't")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _is_cjk(term: str) -> bool:
    return bool(_CJK.search(term))


def _comments(comments: object) -> pd.Series:
    """The comments as a Series of text ('' for none); refuses non-text values."""
    if isinstance(comments, pd.DataFrame):
        if "comment" not in comments.columns:
            raise DataError(f"missing column 'comment'; present: {list(comments.columns)[:20]}", table="comments")
        s = comments["comment"]
        if isinstance(s, pd.DataFrame):  # a duplicated name or MultiIndex columns select a frame
            raise DataError(
                "the column name appears more than once (or the columns are a MultiIndex); give one 'comment' "
                "column, e.g. df.loc[:, ~df.columns.duplicated()]",
                table="comments",
                column="comment",
            )
    elif isinstance(comments, pd.Series):
        s = comments
    elif isinstance(comments, Sequence) and not isinstance(comments, str | bytes):
        s = pd.Series(list(comments), dtype=object)
    else:
        raise DataError(
            f"expected a Series, a list of comments or a frame with a 'comment' column, got {type(comments).__name__}",
            table="comments",
        )
    s = s.astype(object)
    missing = s.isna().to_numpy(dtype=bool)
    s = s.where(~missing, "")
    bad = ~s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if bad.any():
        raise DataError(
            f"comments must be text, found {str(s[bad].iloc[0])[:40]!r}", table="comments", column="comment",
            rows=s.index[bad],
        )  # fmt: skip
    return s


def _check_lists(value: object, name: str, required: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
    allowed = f"give a mapping name -> list of non-empty words, e.g. {name}={{'price': ['price', '价格']}}"
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"{name}={str(value)[:60]} is not allowed: {allowed}")
    out = {}
    for key, words in value.items():
        ok = (
            isinstance(key, str)
            and not isinstance(words, str | bytes)
            and isinstance(words, Sequence)
            and len(words) > 0
            and all(isinstance(w, str) and w.strip() for w in words)
        )
        if not ok:
            raise ConfigError(f"{name}[{key!r}]={str(words)[:60]} is not allowed: {allowed}")
        out[key] = tuple(w.strip().lower() for w in words)
    missing = [r for r in required if r not in out]
    if missing:
        raise ConfigError(f"{name} lacks {missing}; give both 'positive' and 'negative' word lists")
    extra = [k for k in out if required and k not in required]
    if extra:
        raise ConfigError(f"{name} has unknown list(s) {extra[:4]}; allowed: {list(required)}")
    return out


def _topic_pattern(words: Sequence[str]) -> re.Pattern[str]:
    parts = [re.escape(w) if _is_cjk(w) else r"(?<![a-z])" + re.escape(w) for w in words]
    return re.compile("|".join(parts))


def tag_comments(
    comments: pd.Series | Sequence[str] | pd.DataFrame,
    keywords: Mapping[str, Sequence[str]] = DEFAULT_KEYWORDS,
) -> pd.DataFrame:
    """Topic tags of free-text comments from keyword lists (English and Chinese).

    Parameters
    ----------
    comments : pandas.Series, list of str or pandas.DataFrame
        The comments (a frame needs a ``comment`` column, e.g. the surveys table). Missing
        values and ``""`` mean no comment.
    keywords : mapping topic -> list of str
        Default :data:`DEFAULT_KEYWORDS`. English keywords match at a word start, ignoring
        case; keywords containing Chinese characters match anywhere.

    Returns
    -------
    pandas.DataFrame
        The comments' index; one boolean column per topic (in ``keywords`` order), ``tags``
        (the topics found joined by ``"|"``, ``""`` for none) and ``n_tags``.

    Raises
    ------
    DataError
        Comments that are not text.
    ConfigError
        ``keywords`` not a mapping of topic -> non-empty list of words.

    Examples
    --------
    >>> tag_comments(["The price is too high.", "物流太慢了，客服也不回复", "Thanks!"])[["tags", "n_tags"]]
                   tags  n_tags
    0             price       1
    1  delivery|service       2
    2                         0
    """
    kw = _check_lists(keywords, "keywords")
    s = _comments(comments)
    low = s.str.lower()
    out = pd.DataFrame(index=s.index)
    for topic, words in kw.items():
        out[topic] = low.str.contains(_topic_pattern(words), regex=True).to_numpy(dtype=bool)
    topics = list(kw)
    flags = out[topics].to_numpy(dtype=bool)
    out["tags"] = ["|".join(t for t, f in zip(topics, row) if f) for row in flags]
    out["n_tags"] = flags.sum(axis=1).astype("int64")
    return out


def _score_one(text: str, terms: list[tuple[str, int]], negations: frozenset[str]) -> float:
    if not text.strip():
        return float("nan")
    low = text.lower()
    pos = neg = 0
    taken = np.zeros(len(low), dtype=bool)
    # English words of the whole comment once ("don't" -> "do", "n't"), so finding the two words before
    # a match is a bisection, not a scan of the prefix (which made a long comment quadratic)
    spaced = low.replace("n't", " n't")
    shifts = [m.start() for m in re.finditer("n't", low)]  # each adds one character to `spaced`
    words = list(_WORD.finditer(spaced))
    ends = [w.end() for w in words]
    for term, sign in terms:  # longest first: a longer entry masks the words it contains
        if _is_cjk(term):
            pattern = re.escape(term)
        else:
            pattern = r"(?<![a-z'])" + re.escape(term) + r"(?![a-z])"
        for m in re.finditer(pattern, low):
            a, b = m.span()
            if taken[a:b].any():
                continue
            taken[a:b] = True
            value = sign
            if not _is_cjk(term):
                # no word runs into the match (it follows no letter or apostrophe): the words ending
                # before it are exactly the words of the text before it
                i = bisect.bisect_right(ends, a + bisect.bisect_left(shifts, a))
                before = [w.group() for w in words[max(0, i - 2) : i]]
                if any(w in negations for w in before):
                    value = -sign
            if value > 0:
                pos += 1
            else:
                neg += 1
    return 0.0 if pos + neg == 0 else (pos - neg) / (pos + neg)


def comment_sentiment(
    comments: pd.Series | Sequence[str] | pd.DataFrame,
    lexicon: Mapping[str, Sequence[str]] = DEFAULT_LEXICON,
) -> pd.Series:
    """Lexicon sentiment of each comment, ``(positive - negative) / (positive + negative)`` in [-1, 1].

    Parameters
    ----------
    comments : pandas.Series, list of str or pandas.DataFrame
        As in :func:`tag_comments`.
    lexicon : mapping with ``"positive"`` and ``"negative"`` word lists
        Default :data:`DEFAULT_LEXICON`. English entries match whole words (or phrases),
        Chinese entries anywhere; longer entries take precedence over words inside them.

    Returns
    -------
    pandas.Series
        Name ``sentiment``, the comments' index: -1 (only negative words) ... 1 (only
        positive), 0 when no lexicon word is found, NaN for an empty comment.

    Raises
    ------
    DataError
        Comments that are not text.
    ConfigError
        A lexicon without both word lists.

    Examples
    --------
    >>> comment_sentiment(["Great service, but the delivery was slow.", "不满意", "not helpful", "还行"]).tolist()
    [0.0, -1.0, -1.0, 0.0]
    """
    lex = _check_lists(lexicon, "lexicon", required=("positive", "negative"))
    s = _comments(comments)
    terms = [(w, 1) for w in lex["positive"]] + [(w, -1) for w in lex["negative"]]
    terms.sort(key=lambda t: (-len(t[0]), t[0], t[1]))
    neg = frozenset(NEGATIONS)
    values = [_score_one(text, terms, neg) for text in s.to_numpy()]
    return pd.Series(values, index=s.index, name="sentiment", dtype=float)
