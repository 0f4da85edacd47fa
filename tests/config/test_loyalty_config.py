"""Chapter 09's loyalty levers in the configuration: off by default, validated with clear errors, presets load."""

from __future__ import annotations

import pytest

import sim
from sim.config.policy_loyalty import CheckIn, Loyalty, LoyaltyTier, ReferralBonus, SpendRanking
from sim.config.scenario_loyalty import LoyaltyResponse
from sim.errors import ConfigError


def test_every_new_lever_is_off_by_default():
    lo = sim.Policy().loyalty
    assert not lo.ledger and lo.expiry_days == 0 and not lo.check_in.enabled and not lo.ranking.enabled
    assert lo.referral_bonus == [] and not lo.uses_ledger()
    assert sim.Scenario().loyalty_response.is_noop()
    for name in ("baseline", "retail", "subscription", "btyd_only"):
        assert sim.Scenario.load(name).loyalty_response.is_noop(), name


def test_the_classes_moved_but_are_still_importable_from_their_old_home():
    from sim.config import policy_programmes

    assert policy_programmes.Loyalty is Loyalty and policy_programmes.LoyaltyTier is LoyaltyTier
    assert policy_programmes.CheckIn is CheckIn and policy_programmes.SpendRanking is SpendRanking


@pytest.mark.parametrize(
    ("loyalty", "needle"),
    [
        ({"enabled": True, "check_in": {"enabled": True}}, "check_in.enabled credit or expire points"),
        ({"enabled": True, "expiry_days": 90}, "expiry_days credit or expire points"),
        ({"enabled": True, "ranking": {"enabled": True}}, "set ledger: true"),
        ({"referral_bonus": [{"start_day": 10, "end_day": 5}]}, "end_day (5) must be after start_day (10)"),
        ({"referral_bonus": [{"start_day": 0, "end_day": 5, "multiplier": 0.5}]}, "referral_bonus[0].multiplier"),
        (
            {"referral_bonus": [{"start_day": 0, "end_day": 50}, {"start_day": 40, "end_day": 90}]},
            "referral_bonus windows overlap",
        ),
        ({"ranking": {"top_share": 1.5}}, "loyalty.ranking.top_share: value 1.5"),
        ({"ranking": {"period_days": 0}}, "loyalty.ranking.period_days"),
        ({"check_in": {"max_per_week": 8}}, "loyalty.check_in.max_per_week: value 8"),
        ({"redeem_min_points": float("nan")}, "loyalty.redeem_min_points"),
        ({"expiry_days": -1}, "loyalty.expiry_days: value -1"),
        ({"check_in": {"point": 5}}, "loyalty.check_in.point"),
    ],
)
def test_bad_loyalty_levers_are_refused_naming_field_and_value(loyalty, needle):
    with pytest.raises(ConfigError) as err:
        sim.Policy.from_dict({"loyalty": loyalty})
    assert needle in str(err.value)


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        ("loyalty_response.redeem_prob", 2, "loyalty_response.redeem_prob: value 2"),
        ("loyalty_response.check_in_rate_per_week", -1, "loyalty_response.check_in_rate_per_week: value -1"),
        ("loyalty_response.check_in_rate_per_week", float("inf"), "loyalty_response.check_in_rate_per_week"),
        ("loyalty_response.goal_gradient.window", 0, "loyalty_response.goal_gradient.window: value 0"),
        ("loyalty_response.ranking_rate_uplift", 3, "loyalty_response.ranking_rate_uplift: value 3"),
        ("loyalty_response.tipping", 1, "loyalty_response.tipping"),
    ],
)
def test_bad_loyalty_responses_are_refused_naming_field_and_value(path, value, needle):
    with pytest.raises(ConfigError) as err:
        sim.Scenario.load("baseline").updated({path: value})
    assert needle in str(err.value)


def test_presets_load_with_their_levers_on():
    sc = sim.Scenario.load("loyalty_club")
    r = sc.loyalty_response
    assert not r.is_noop() and r.goal_gradient.strength > 0 and r.check_in_rate_per_week > 0 and r.redeem_prob > 0
    assert not sc.word_of_mouth.enabled and sc.population.referral.enabled  # a referral bonus can act
    club = sim.Policy.load("points_club").loyalty
    assert club.uses_ledger() and club.expiry_days > 0 and club.check_in.enabled and club.ranking.enabled
    assert len(club.tiers) == 3
    raf = sim.Policy.load("refer_a_friend").loyalty
    assert [(w.start_day, w.end_day, w.multiplier) for w in raf.referral_bonus] == [(30.0, 90.0, 2.0)]
    assert (
        raf.bonus_multiplier(29.99) == 1.0 and raf.bonus_multiplier(30.0) == 2.0 and raf.bonus_multiplier(90.0) == 1.0
    )


def test_levers_round_trip_through_yaml_and_dotted_updates(tmp_path):
    pol = sim.Policy.load("points_club").updated({"loyalty.check_in.points": 7, "loyalty.expiry_days": 180})
    (tmp_path / "club.yaml").write_text(pol.to_yaml(), encoding="utf-8")
    back = sim.Policy.load(tmp_path / "club.yaml")
    assert back.loyalty == pol.loyalty and back.loyalty.check_in.points == 7 and back.loyalty.expiry_days == 180
    sc = sim.Scenario.load("loyalty_club").updated({"loyalty_response.redeem_prob": 0.2})
    assert sim.Scenario.from_dict(sc.to_dict()).loyalty_response.redeem_prob == 0.2


def test_models_validate_directly():
    assert ReferralBonus(start_day=0, end_day=1).multiplier == 2.0
    assert LoyaltyResponse(ranking_rate_uplift=0.1).ranking_rate_uplift == 0.1
    with pytest.raises(ValueError, match="end_day"):
        ReferralBonus(start_day=3, end_day=3)
