"""Column-role detection from aliases, and explicit overrides."""

import pytest

from fairrec_core.data.schema import (
    detect_roles,
    likely_sensitive,
    parse_mapping_args,
    resolve_overrides,
)
from fairrec_core.errors import ConfigError


@pytest.mark.parametrize("user,item", [
    ("user_id", "item_id"), ("userId", "itemId"), ("uid", "iid"), ("customer_id", "sku"),
    ("buyer_id", "asin"), ("member_id", "goods_id"), ("USER ID", "Product-ID"),
    ("用户ID", "商品ID"),
])
def test_user_and_item_aliases(user, item):
    m = detect_roles([user, item, "rating"], "interactions")
    assert m.roles["user"] == user and m.roles["item"] == item
    assert m.roles["rating"] == "rating"
    assert m.missing_required() == []


def test_interaction_optional_roles_and_extras_kept_as_attributes():
    m = detect_roles(["uid", "product_id", "stars", "event_time", "device"], "interactions")
    assert m.roles == {"user": "uid", "item": "product_id", "rating": "stars",
                       "timestamp": "event_time"}
    assert m.attributes == ["device"]


def test_score_means_rating_in_interactions_but_score_in_recommendations():
    assert detect_roles(["user_id", "item_id", "score"], "interactions").roles["rating"] == "score"
    rec = detect_roles(["user_id", "item_id", "score"], "recommendations")
    assert rec.roles["score"] == "score" and rec.missing_required() == []


def test_items_roles():
    m = detect_roles(["sku", "product_name", "desc", "category", "seller_id", "brand",
                      "price", "colour"], "items")
    assert m.roles == {"item": "sku", "title": "product_name", "description": "desc",
                       "category": "category", "provider": "seller_id", "price": "price"}
    assert m.attributes == ["brand", "colour"]  # brand stays available as a grouping


def test_missing_required_roles_are_listed():
    assert detect_roles(["a", "b"], "interactions").missing_required() == ["user", "item"]
    assert detect_roles(["user_id", "item_id"], "recommendations").missing_required() == [
        "rank|score"]


def test_override_wins_and_frees_the_detected_column():
    m = detect_roles(["user_id", "customer_no", "item_id"], "interactions",
                     {"user": "customer_no"})
    assert m.roles["user"] == "customer_no" and m.detected["user"] is False
    assert "user_id" in m.attributes


def test_override_can_remove_a_role():
    m = detect_roles(["user_id", "item_id", "timestamp"], "interactions", {"timestamp": ""})
    assert "timestamp" not in m.roles


def test_bad_override_names_the_problem():
    with pytest.raises(ConfigError, match="no column 'nope'"):
        detect_roles(["user_id", "item_id"], "interactions", {"user": "nope"})
    with pytest.raises(ConfigError, match="more than one role"):
        detect_roles(["user_id", "item_id", "n"], "interactions", {"rating": "n", "weight": "n"})
    with pytest.raises(ConfigError, match="not a column role"):
        detect_roles(["user_id", "item_id"], "interactions", {"colour": "user_id"})


def test_cli_map_arguments():
    parsed = parse_mapping_args(["user=cust", "items.provider=brand"])
    assert parsed == {"*": {"user": "cust"}, "items": {"provider": "brand"}}
    # a bare role applies only to files that have the column
    assert resolve_overrides(parsed, "interactions", ["cust", "sku"]) == {"user": "cust"}
    assert resolve_overrides(parsed, "users", ["user_id"]) == {}
    assert resolve_overrides(parsed, "items", ["sku", "brand"]) == {"provider": "brand"}
    with pytest.raises(ConfigError):
        parse_mapping_args(["nonsense"])
    with pytest.raises(ConfigError):
        parse_mapping_args(["items.rank=x"])


def test_likely_sensitive():
    assert likely_sensitive(["user_id", "gender", "age", "Region", "membership_tier",
                             "favourite_colour"]) == ["gender", "age", "Region",
                                                      "membership_tier"]
