"""The synthetic catalogue: items, sellers, brands, prices, latent popularity and texts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairrec_core.data import synthetic_zh as zh
from fairrec_core.data.synthetic_params import (
    _CATEGORY_ITEM_PROBS,
    _DAY,
    _HISTORY_START,
    _PARAMS,
    _PRICE,
    _WINDOW_END,
    _WINDOW_START,
)
from fairrec_core.data.synthetic_vocab import (
    _BIG_BRANDS,
    _BRAND_PREFIX,
    _BRAND_SUFFIX,
    _BRAND_TAG,
    _SUBTYPE_MATERIALS_USES,
    _TEMPLATES_EN,
    _VOCAB,
    CATEGORIES,
)


def _ids(prefix: str, n: int) -> np.ndarray:
    """``n`` ids ``prefix00001``, ``prefix00002``, ... (at least five digits)."""
    width = max(5, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _iso_dates(seconds: np.ndarray) -> np.ndarray:
    """Unix seconds as ``YYYY-MM-DD`` strings."""
    return pd.to_datetime(seconds, unit="s").strftime("%Y-%m-%d").to_numpy(dtype=object)


def _brand_names(rng: np.random.Generator, n: int, lang: str = "en") -> list[str]:
    """``n`` distinct small-seller brand names (numbered once the combinations run out)."""
    prefix, suffix, tags, big = ((_BRAND_PREFIX, _BRAND_SUFFIX, _BRAND_TAG, _BIG_BRANDS) if lang == "en"
                                 else (zh.BRAND_PREFIX, zh.BRAND_SUFFIX, zh.BRAND_TAG, zh.BIG_BRANDS))
    combos = [p + s + t for t in tags for p in prefix for s in suffix]
    taken = set(big)
    combos = [c for c in combos if c not in taken]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order[: min(n, len(combos))]]
    # Very large catalogs need more sellers than combinations; number the rest.
    k = 2
    while len(names) < n:
        names += [f"{combos[i]} {k}" for i in order[: n - len(names)]]
        k += 1
    return names


def _make_items(rng: np.random.Generator, n_items: int, lang: str = "en"):
    """Items, their (category, sub-type) slot, latent popularity and quality."""
    n_cat = len(CATEGORIES)
    cat = rng.choice(n_cat, size=n_items, p=_CATEGORY_ITEM_PROBS)
    n_sub = np.array([len(_VOCAB[c]["subtypes"]) for c in CATEGORIES])
    sub = np.floor(rng.random(n_items) * n_sub[cat]).astype(np.int64)
    slot_offset = np.concatenate([[0], np.cumsum(n_sub)[:-1]])
    slot = slot_offset[cat] + sub

    # Sellers: a few big ones hold a fixed share of the catalog, across all
    # categories; many small ones each specialise in one category.
    n_big = _PARAMS["n_big_sellers"]
    n_small = int(np.clip(n_items // 6, 2 * n_cat, 5000))
    is_big = rng.random(n_items) < _PARAMS["big_seller_item_share"]
    big_w = np.linspace(1.6, 0.6, n_big)
    big_seller = rng.choice(n_big, size=n_items, p=big_w / big_w.sum())
    small_cat = np.arange(n_small) % n_cat
    rng.shuffle(small_cat)
    by_cat = [np.flatnonzero(small_cat == c) for c in range(n_cat)]
    sizes = np.array([len(g) for g in by_cat])
    # Within a category, small sellers' catalog sizes are mildly skewed.
    u = rng.random(n_items) ** 1.5
    pick = np.minimum((u * sizes[cat]).astype(np.int64), sizes[cat] - 1)
    cat_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    small_sorted = np.concatenate(by_cat)
    small_seller = small_sorted[cat_start[cat] + pick]
    seller = np.where(is_big, big_seller, n_big + small_seller)

    big_names = _BIG_BRANDS if lang == "en" else zh.BIG_BRANDS
    brands = np.array(list(big_names) + _brand_names(rng, n_small, lang), dtype=object)
    seller_ids = np.array([f"S{i:04d}" for i in range(1, n_big + n_small + 1)], dtype=object)

    # Latent popularity: Zipf over a random order of the items within each
    # (category, sub-type) slot, times a mild slot-level factor. Keeping the
    # skew inside slots means global popularity alone predicts poorly and
    # knowing the user's taste matters, which the sparse-history bias needs.
    n_slots = int(n_sub.sum())
    o = np.lexsort((rng.random(n_items), slot))
    slot_first = np.searchsorted(slot[o], np.arange(n_slots))
    within_rank = np.empty(n_items, dtype=np.int64)
    within_rank[o] = np.arange(n_items) - slot_first[slot[o]] + 1
    slot_factor = np.exp(_PARAMS["slot_popularity_sigma"] * rng.standard_normal(n_slots))
    pop = within_rank.astype(float) ** -_PARAMS["zipf_exponent"] * slot_factor[slot]
    quality = rng.normal(0.0, 1.0, n_items)

    # Creation dates; a share of items is new (created in the last 60 days),
    # and items only collect interactions after they exist.
    created = rng.integers(_HISTORY_START, _WINDOW_START + 240 * _DAY, n_items)
    new = rng.random(n_items) < _PARAMS["new_item_share"]
    created[new] = rng.integers(_WINDOW_END - 60 * _DAY, _WINDOW_END - 7 * _DAY, int(new.sum()))
    live = (_WINDOW_END - np.maximum(created, _WINDOW_START)) / (_WINDOW_END - _WINDOW_START)
    weight = pop * live

    # Price: per-category lognormal.
    med = np.array([_PRICE[c][0] for c in CATEGORIES])[cat]
    sig = np.array([_PRICE[c][1] for c in CATEGORIES])[cat]
    price = np.round(med * np.exp(sig * rng.standard_normal(n_items)), 2)
    price = np.maximum(price, 0.99)

    titles, descs = _texts(rng, cat, sub, brands[seller], lang)
    items = pd.DataFrame(
        {
            "item_id": _ids("I", n_items),
            "title": titles,
            "description": descs,
            "category": np.array(CATEGORIES, dtype=object)[cat],
            "seller_id": seller_ids[seller],
            "seller_size": np.where(seller < n_big, "big", "small").astype(object),
            "brand": brands[seller],
            "price": price,
            "created_at": _iso_dates(created),
        }
    )
    latent = {
        "cat": cat, "slot": slot, "n_slots": n_slots, "slot_cat": np.repeat(np.arange(n_cat), n_sub),
        "small": seller >= n_big, "weight": weight, "quality": quality, "created": created,
        "new": new, "n_small_sellers": n_small,
    }
    return items, latent


def _cap_words(text: str) -> str:
    """Raise the first letter of every word, leaving the rest as written."""
    # str.title() would turn "USB-C" into "Usb-C"; only raise first letters.
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def _texts(rng: np.random.Generator, cat: np.ndarray, sub: np.ndarray, brand: np.ndarray,
           lang: str = "en"):
    """Titles and descriptions from per-category vocabulary.

    Built per item with plain string formatting: the catalog is small next to
    the interaction table, and the word choices are drawn vectorised upfront.
    The draws do not depend on ``lang`` (the Chinese vocabulary has the shape
    of the English one), so both languages describe the same items.
    """
    n = len(cat)
    r = rng.random((n, 8))
    titles = []
    descs = []
    subnames = [list(_VOCAB[c]["subtypes"]) for c in CATEGORIES]
    for j in range(n):
        c = CATEGORIES[cat[j]]
        noun = subnames[cat[j]][sub[j]]
        v = _VOCAB[c]
        n_adj, n_feat = len(v["adjectives"]), len(v["subtypes"][noun])
        a1 = int(r[j, 0] * n_adj)
        a2 = (a1 + 1 + int(r[j, 1] * (n_adj - 1))) % n_adj
        f1 = int(r[j, 2] * n_feat)
        f2 = (f1 + 1 + int(r[j, 3] * (n_feat - 1))) % n_feat
        pick = {"a1": a1, "a2": a2, "f1": f1, "f2": f2,
                "variant": int(r[j, 4] * len(v["variants"])),
                # Half the titles name a feature, like real listings do.
                "feature_title": bool(r[j, 5] < 0.5),
                "template": int(r[j, 6] * len(_TEMPLATES_EN)),
                "material": int(r[j, 7] * 3),
                # Reuse r[j, 5] past the title's coin flip without correlating with it.
                "use": int((2.0 * r[j, 5]) % 1.0 * 3)}
        title, desc = (_item_text_en if lang == "en" else _item_text_zh)(c, noun, brand[j], pick)
        titles.append(title)
        descs.append(desc)
    return np.array(titles, dtype=object), np.array(descs, dtype=object)


def _item_text_en(category: str, noun: str, brand: str, pick: dict) -> tuple[str, str]:
    """English title and description of one item from its drawn word choices ``pick``."""
    v = _VOCAB[category]
    feats, adjs = v["subtypes"][noun], v["adjectives"]
    variant = v["variants"][pick["variant"]]
    if pick["feature_title"]:
        title = f"{brand} {adjs[pick['a1']]} {_cap_words(feats[pick['f1']])} {noun}, {variant}"
    else:
        title = f"{brand} {adjs[pick['a1']]} {adjs[pick['a2']]} {noun}, {variant}"
    materials, uses = _SUBTYPE_MATERIALS_USES[noun]
    a2 = adjs[pick["a2"]]
    desc = _TEMPLATES_EN[pick["template"]].format(
        A=a2, a=a2.lower(), noun=noun.lower(), mat=materials[pick["material"]],
        use=uses[pick["use"]], f1=feats[pick["f1"]], f2=feats[pick["f2"]])
    return title, desc


def _item_text_zh(category: str, noun_en: str, brand: str, pick: dict) -> tuple[str, str]:
    """Chinese title and description of one item from the same word choices."""
    # Chinese listings run words together ("品牌无线降噪头戴耳机 黑色"): word
    # boundaries are for a segmenter to find, as in real exports.
    v = zh.VOCAB[category]
    noun, feats = v["subtypes"][noun_en]
    adjs = v["adjectives"]
    variant = v["variants"][pick["variant"]]
    second = feats[pick["f1"]] if pick["feature_title"] else adjs[pick["a2"]]
    title = f"{brand}{adjs[pick['a1']]}{second}{noun} {variant}"
    materials, uses = zh.MATERIALS_USES[noun_en]
    a2 = adjs[pick["a2"]]
    desc = zh.DESCRIPTION_TEMPLATES[pick["template"]].format(
        A=a2, a=a2, noun=noun, mat=materials[pick["material"]], use=uses[pick["use"]],
        f1=feats[pick["f1"]], f2=feats[pick["f2"]])
    return title, desc

