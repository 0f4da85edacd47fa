"""Templates of the synthetic free-text survey comments (English and Chinese), and their topics.

A comment is *clearly templated*: one short sentence per (topic, sentiment, language), picked at
random among two. Its topic comes from a latent cause when the customer has one to talk about
(:func:`sim.world.model.comment_topic`: a ticket's cause, a churn reason, the last bad experience)
or else from :data:`TOPIC_MIX`; its sentiment from latent satisfaction
(:func:`sim.world.model.comment_sentiment`). A share :data:`ZH_SHARE` of comments is in Chinese.

Every template names its topic with the topic's first keyword in :data:`KEYWORDS` (``price`` /
``价格``, ``service`` / ``客服``, ``delivery`` / ``物流``, ``quality`` / ``质量``, ...) and no other
topic's keywords, so keyword tagging (:mod:`sim.analysis.satisfaction.text`) recovers the topic.

Examples
--------
>>> render_comment("delivery", -1, False, 0.0)
'Delivery was late again.'
>>> render_comment("service", -1, True, 0.0)
'客服回复太慢。'
>>> all(any(k in t.lower() for k in KEYWORDS[topic]) for topic in TOPICS
...     for lang in TEMPLATES.values() for ts in lang[topic].values() for t in ts)
True
"""

from __future__ import annotations

from collections.abc import Callable

from sim.world.model import comment_sentiment, comment_topic
from sim.world.rng import Categorical

__all__ = [
    "TOPICS",
    "CAUSE_TOPIC",
    "TOPIC_MIX",
    "ZH_SHARE",
    "KEYWORDS",
    "TEMPLATES",
    "SENTIMENT_WORDS",
    "render_comment",
    "draw_comment",
]

#: Comment topics.
TOPICS: tuple[str, ...] = ("quality", "delivery", "price", "service", "communication", "need")
#: The topic a latent cause (complaint cause, churn reason, last bad experience) is talked about as.
CAUSE_TOPIC: dict[str, str] = {
    "product": "quality",
    "service": "service",
    "price": "price",
    "communication": "communication",
    "need_mismatch": "need",
}
#: Topics of comments without a cause to talk about (delivery is no modelled cause: it comes from here only).
TOPIC_MIX: dict[str, float] = {
    "delivery": 0.30,
    "quality": 0.25,
    "price": 0.20,
    "service": 0.15,
    "communication": 0.10,
}
#: Share of comments written in Chinese (the rest in English).
ZH_SHARE = 0.3

#: Keywords per topic (English lower case, Chinese); each template contains its topic's first English or
#: Chinese keyword and no keyword of another topic.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "quality": ("quality", "broken", "质量", "坏"),
    "delivery": ("delivery", "package", "物流", "快递", "配送"),
    "price": ("price", "expensive", "价格", "贵", "便宜", "划算"),
    "service": ("service", "support", "客服"),
    "communication": ("communication", "emails", "informed", "沟通", "通知", "短信"),
    "need": ("need", "需要"),
}

#: Sentiment words the templates use (a lexicon for checking; the analysis keeps its own).
SENTIMENT_WORDS: dict[str, tuple[str, ...]] = {
    "negative": ("poor", "late", "slow", "too", "bad", "disappointed", "unhelpful", "差", "慢", "失望", "不"),
    "positive": ("great", "excellent", "fast", "good", "helpful", "happy", "clear", "很好", "满意", "很快", "实惠"),
}

_Templates = dict[str, dict[int, tuple[str, ...]]]

_EN: _Templates = {
    "quality": {
        -1: ("The quality was poor, the item arrived broken.", "Disappointed with the product quality."),
        0: ("Quality is okay.", "Product quality as expected."),
        1: ("Excellent quality, very happy with it.", "Great product quality!"),
    },
    "delivery": {
        -1: ("Delivery was late again.", "Slow delivery, the package took far too long."),
        0: ("Delivery took a few days, fine.", "Delivery was on time."),
        1: ("Fast delivery, arrived the next day!", "Great delivery, very quick."),
    },
    "price": {
        -1: ("The price is too high, too expensive.", "Found a better price elsewhere."),
        0: ("The price is fair.", "Price is acceptable."),
        1: ("Great price, good value.", "Excellent price for what you get."),
    },
    "service": {
        -1: ("Customer service replied too slowly.", "Poor service, the agent was unhelpful."),
        0: ("Service was okay.", "Customer service answered my question."),
        1: ("Great customer service, very helpful!", "Excellent service, solved quickly."),
    },
    "communication": {
        -1: ("Too many emails, bad communication.", "Poor communication, nobody kept me informed."),
        0: ("Communication was fine.", "Communication was as expected."),
        1: ("Clear communication, always kept informed.", "Good communication throughout."),
    },
    "need": {
        -1: ("I no longer need these products.", "Disappointed, not what I need anymore."),
        0: ("I need fewer of these now.", "I only buy when I need something."),
        1: ("Great range, had everything I need.", "Found all I need here, happy."),
    },
}

_ZH: _Templates = {
    "quality": {
        -1: ("质量太差了，收到就坏了。", "对产品质量很失望。"),
        0: ("质量一般。", "质量还可以。"),
        1: ("质量很好，非常满意！", "产品质量超出预期。"),
    },
    "delivery": {
        -1: ("物流太慢了。", "物流晚到了好几天。"),
        0: ("物流还行。", "物流准时到了。"),
        1: ("物流很快，第二天就到了！", "物流配送很快，满意。"),
    },
    "price": {
        -1: ("价格太贵了。", "别家价格更便宜。"),
        0: ("价格还算合理。", "价格一般。"),
        1: ("价格实惠，很划算。", "价格很好，性价比高。"),
    },
    "service": {
        -1: ("客服回复太慢。", "客服态度很差。"),
        0: ("客服回答了我的问题。", "客服一般。"),
        1: ("客服很耐心，非常满意！", "客服很快解决了问题。"),
    },
    "communication": {
        -1: ("沟通不及时，短信太多。", "沟通很差，没人通知我。"),
        0: ("沟通还可以。", "沟通比较清楚。"),
        1: ("沟通顺畅，及时通知。", "沟通很好。"),
    },
    "need": {
        -1: ("现在不需要这些了。", "不再需要了。"),
        0: ("需要的时候才买。", "现在需要得少了。"),
        1: ("需要的都能买到，很满意。", "需要的东西都有，很好。"),
    },
}

#: Templates by language (``en``, ``zh``), topic and sentiment (-1, 0, 1).
TEMPLATES: dict[str, _Templates] = {"en": _EN, "zh": _ZH}


def render_comment(topic: str, sentiment: int, zh: bool, u: float) -> str:
    """The comment on ``topic`` with ``sentiment`` (-1, 0, 1), in Chinese if ``zh``; ``u`` in [0, 1) picks the template.

    Examples
    --------
    >>> render_comment("price", 1, False, 0.99)
    'Excellent price for what you get.'
    >>> render_comment("quality", 0, True, 0.0)
    '质量一般。'
    """
    options = TEMPLATES["zh" if zh else "en"][topic][sentiment]
    k = int(u * len(options))
    return options[k if k < len(options) else len(options) - 1]


_GENERAL = Categorical(TOPIC_MIX)


def draw_comment(
    reading: float,
    cause: str,
    about_cause: bool,
    rate: float,
    uniform: Callable[[], float],
    normal: Callable[[], float],
) -> str:
    """The free-text comment of one answer (``""``: none), from the draws of ``uniform`` and ``normal``.

    With probability ``rate`` there is a comment: its sentiment comes from the satisfaction the
    answer read (:func:`~sim.world.model.comment_sentiment`), its topic from ``cause`` (a complaint
    cause, churn reason or last bad experience; ``""``: none) when ``about_cause`` or the comment
    is negative, else from :data:`TOPIC_MIX` (:func:`~sim.world.model.comment_topic`); a share
    :data:`ZH_SHARE` is in Chinese. Both engines call it with their ``survey.comment`` stream.

    Examples
    --------
    >>> from itertools import cycle
    >>> u = cycle([0.1, 0.5, 0.9, 0.6, 0.0]).__next__    # comment?, topic, general topic, language, template
    >>> draw_comment(5.0, "price", False, 0.5, u, lambda: 0.0)
    'The price is too high, too expensive.'
    >>> draw_comment(5.0, "price", False, 0.0, u, lambda: 0.0)   # rate 0: no comment
    ''
    """
    if uniform() >= rate:
        return ""
    sentiment = comment_sentiment(reading, normal())
    cause_topic = CAUSE_TOPIC.get(cause, "")
    topic = comment_topic(cause_topic, about_cause or sentiment < 0, uniform(), _GENERAL.draw(uniform()))
    return render_comment(topic, sentiment, uniform() < ZH_SHARE, uniform())
