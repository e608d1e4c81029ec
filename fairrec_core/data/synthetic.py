"""Seeded synthetic e-commerce data with known, injected fairness problems.

The generator produces the four files a platform would upload (users, items,
interactions and a production recommender's top-K lists) from a small latent
model, so that every audit outcome on the data has a known cause:

* item popularity is Zipf-like, so a few items hold most interactions;
* the production recommender over-weights popularity and penalises items of
  small sellers, so small sellers are under-exposed relative to their catalog
  share and to their merit;
* users aged 55+ have much shorter histories, and the production recommender
  falls back to popularity for short histories, so their accuracy is lower
  (history length is the only mechanism; there is no direct age term);
* gender shifts category preferences (visible in the data, small effect on
  accuracy);
* region and membership tier carry no signal at all.

``truth`` records the generator's parameters and the figures measured on the
generated data, so tests can assert the audit outcomes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairrec_core.data import synthetic_zh as zh

__all__ = ["SyntheticData", "generate", "CATEGORIES", "AGE_BANDS"]

# --------------------------------------------------------------------------
# Vocabulary. Each category has sub-types (product nouns) with their own
# feature words, so titles and descriptions carry the latent structure that a
# text-reading model can pick up for items with few interactions.
# --------------------------------------------------------------------------

_VOCAB: dict[str, dict] = {
    "Electronics": {
        "adjectives": ["Wireless", "Compact", "Smart", "Portable", "Ultra-Slim", "Rechargeable", "Pro"],
        "variants": ["Black", "White", "Silver", "Navy Blue", "Graphite"],
        "subtypes": {
            "Headphones": ["noise-cancelling", "30-hour battery", "Bluetooth 5.3", "foldable headband"],
            "Smartwatch": ["heart-rate monitor", "GPS tracking", "sleep tracking", "AMOLED display"],
            "Portable Speaker": ["360-degree sound", "waterproof body", "deep bass", "Bluetooth pairing"],
            "Power Bank": ["fast charging", "20000 mAh capacity", "USB-C port", "LED charge indicator"],
            "Webcam": ["1080p video", "autofocus", "dual microphones", "privacy shutter"],
            "Mechanical Keyboard": ["hot-swappable switches", "RGB backlight", "tenkeyless layout", "USB-C cable"],
        },
    },
    "Home & Kitchen": {
        "adjectives": ["Classic", "Non-Slip", "Heavy-Duty", "Minimalist", "Stackable", "Premium", "Easy-Clean"],
        "variants": ["Grey", "Cream", "Sage Green", "Set of 2", "Large"],
        "subtypes": {
            "Chef's Knife": ["razor-sharp blade", "ergonomic handle", "full tang", "8-inch blade"],
            "Coffee Grinder": ["adjustable grind size", "burr mechanism", "quiet motor", "espresso setting"],
            "Frying Pan": ["non-stick coating", "induction-ready base", "oven-safe", "even heating"],
            "Bath Towel Set": ["quick-dry cotton", "high absorbency", "plush loops", "machine washable"],
            "Storage Jar Set": ["airtight lids", "stackable design", "pantry labels", "BPA-free seals"],
            "Table Lamp": ["dimmable light", "warm white bulb", "touch control", "linen shade"],
        },
    },
    "Beauty": {
        "adjectives": ["Hydrating", "Gentle", "Radiant", "Vegan", "Fragrance-Free", "Long-Lasting", "Nourishing"],
        "variants": ["50 ml", "100 ml", "Rose", "Nude", "Travel Size"],
        "subtypes": {
            "Face Serum": ["brightening formula", "fine-line care", "lightweight texture", "dermatologist tested"],
            "Moisturizing Cream": ["24-hour hydration", "rich texture", "barrier repair", "non-greasy finish"],
            "Lipstick": ["matte finish", "creamy colour", "smudge-proof wear", "bold pigment"],
            "Shampoo": ["sulfate-free wash", "scalp care", "frizz control", "volumising effect"],
            "Eyeshadow Palette": ["12 blendable shades", "shimmer and matte mix", "built-in mirror", "high pigment"],
            "Sunscreen": ["SPF 50 protection", "broad spectrum", "water resistant", "no white cast"],
        },
    },
    "Sports & Outdoors": {
        "adjectives": ["Lightweight", "Durable", "Breathable", "All-Weather", "Ergonomic", "Trail-Ready", "Quick-Dry"],
        "variants": ["Black", "Ocean Blue", "Forest Green", "Size M", "Size L"],
        "subtypes": {
            "Yoga Mat": ["6 mm cushioning", "non-slip surface", "alignment lines", "carry strap"],
            "Running Shoes": ["responsive midsole", "grippy outsole", "reflective details", "knit upper"],
            "Camping Tent": ["2-person capacity", "waterproof flysheet", "quick setup poles", "ventilation windows"],
            "Water Bottle": ["double-wall insulation", "leak-proof cap", "keeps drinks cold 24 hours", "1 litre capacity"],
            "Resistance Bands": ["five resistance levels", "door anchor", "padded handles", "latex-free bands"],
            "Hiking Backpack": ["30-litre volume", "rain cover", "hip belt", "hydration sleeve"],
        },
    },
    "Toys & Games": {
        "adjectives": ["Colourful", "Educational", "Classic", "Creative", "Family", "Deluxe", "Interactive"],
        "variants": ["Ages 3+", "Ages 6+", "Ages 8+", "Ages 12+", "Gift Edition"],
        "subtypes": {
            "Building Blocks Set": ["500 pieces", "compatible bricks", "step-by-step instructions", "storage box"],
            "Jigsaw Puzzle": ["1000 pieces", "landscape artwork", "precision-cut pieces", "poster included"],
            "Board Game": ["2 to 6 players", "strategy gameplay", "45-minute rounds", "easy-to-learn rules"],
            "Plush Toy": ["super-soft fur", "embroidered eyes", "huggable size", "machine washable"],
            "Remote Control Car": ["2.4 GHz remote", "rechargeable battery", "all-terrain wheels", "high speed"],
            "Art Kit": ["washable markers", "coloured pencils", "sketch pad", "carry case"],
        },
    },
    "Books": {
        "adjectives": ["Illustrated", "Bestselling", "Award-Winning", "Complete", "Pocket", "Annotated", "New"],
        "variants": ["Paperback", "Hardcover", "Large Print", "Second Edition", "Box Set"],
        "subtypes": {
            "Cookbook": ["100 easy recipes", "weeknight dinners", "seasonal ingredients", "step-by-step photos"],
            "Mystery Novel": ["gripping plot twists", "detective story", "small-town secrets", "page-turning suspense"],
            "Science Fiction Novel": ["space exploration", "artificial intelligence", "distant future", "epic worldbuilding"],
            "Children's Picture Book": ["rhyming text", "bright illustrations", "animal friends", "read-aloud story"],
            "Self-Help Guide": ["practical exercises", "habit building", "mindfulness tips", "career advice"],
            "History Book": ["ancient civilisations", "archival photographs", "world wars", "maps and timelines"],
        },
    },
    "Fashion": {
        "adjectives": ["Slim-Fit", "Oversized", "Vintage", "Everyday", "Tailored", "Casual", "Elegant"],
        "variants": ["Black", "Camel", "Indigo", "Size S", "Size XL"],
        "subtypes": {
            "Denim Jacket": ["button front", "chest pockets", "relaxed collar", "washed finish"],
            "Cotton T-Shirt": ["crew neck", "soft jersey", "pre-shrunk fabric", "regular fit"],
            "Leather Handbag": ["adjustable strap", "zip closure", "inner pockets", "gold-tone hardware"],
            "Wool Scarf": ["fringed edges", "ribbed knit", "extra-long length", "warm weave"],
            "Sneakers": ["cushioned insole", "lace-up closure", "rubber sole", "low-top profile"],
            "Sunglasses": ["polarised lenses", "UV400 protection", "acetate frame", "protective case"],
        },
    },
    "Grocery": {
        "adjectives": ["Organic", "Fair-Trade", "Premium", "Artisan", "Gluten-Free", "Family-Size", "Natural"],
        "variants": ["250 g", "500 g", "1 kg", "Pack of 6", "Value Pack"],
        "subtypes": {
            "Ground Coffee": ["medium roast", "chocolate notes", "smooth finish", "filter grind"],
            "Green Tea": ["jasmine aroma", "antioxidant rich", "biodegradable tea bags", "light taste"],
            "Dark Chocolate": ["70% cocoa", "sea salt flakes", "no added palm oil", "rich flavour"],
            "Olive Oil": ["extra virgin grade", "first cold press", "peppery finish", "dark glass bottle"],
            "Granola": ["crunchy clusters", "honey and almonds", "high fibre", "no refined sugar"],
            "Pasta": ["bronze-cut shape", "durum wheat", "al dente texture", "quick cooking"],
        },
    },
}

CATEGORIES: tuple[str, ...] = tuple(_VOCAB)

# Materials and uses per sub-type, so descriptions stay plausible
# ("hiking backpack ... for day hikes", not "... for yoga").
_SUBTYPE_MATERIALS_USES: dict[str, tuple[list[str], list[str]]] = {
    "Headphones": (["memory-foam ear cushions", "aluminium hinges", "matte plastic"], ["commuting", "travel", "the home office"]),
    "Smartwatch": (["an aluminium case", "a silicone strap", "sapphire glass"], ["fitness tracking", "everyday use", "running"]),
    "Portable Speaker": (["rugged silicone", "a fabric grille", "matte plastic"], ["outdoor parties", "the beach", "travel"]),
    "Power Bank": (["an aluminium shell", "matte plastic", "lithium-polymer cells"], ["travel", "commuting", "festivals"]),
    "Webcam": (["matte plastic", "a glass lens", "a metal clip"], ["video calls", "streaming", "the home office"]),
    "Mechanical Keyboard": (["an aluminium frame", "PBT keycaps", "a steel plate"], ["gaming", "programming", "the home office"]),
    "Chef's Knife": (["German stainless steel", "Damascus steel", "a pakkawood handle"], ["daily cooking", "meal prep", "home chefs"]),
    "Coffee Grinder": (["stainless steel burrs", "ceramic burrs", "brushed aluminium"], ["espresso", "pour-over coffee", "French press"]),
    "Frying Pan": (["cast iron", "hard-anodised aluminium", "tri-ply stainless steel"], ["daily cooking", "family dinners", "searing and frying"]),
    "Bath Towel Set": (["Egyptian cotton", "bamboo fibre", "Turkish cotton"], ["the bathroom", "guest rooms", "the gym"]),
    "Storage Jar Set": (["borosilicate glass", "bamboo lids", "BPA-free plastic"], ["pantry storage", "small kitchens", "meal prep"]),
    "Table Lamp": (["ceramic", "brushed brass", "oak wood"], ["bedside reading", "cosy living rooms", "the home office"]),
    "Face Serum": (["hyaluronic acid", "vitamin C", "niacinamide"], ["dull skin", "daily routines", "evening care"]),
    "Moisturizing Cream": (["shea butter", "ceramides", "aloe vera"], ["dry skin", "sensitive skin", "daily routines"]),
    "Lipstick": (["vitamin E", "jojoba oil", "beeswax"], ["everyday wear", "evenings out", "special occasions"]),
    "Shampoo": (["argan oil", "tea tree oil", "coconut extract"], ["all hair types", "curly hair", "daily washing"]),
    "Eyeshadow Palette": (["pressed mineral pigments", "mica", "a mirrored case"], ["everyday looks", "evenings out", "festival make-up"]),
    "Sunscreen": (["zinc oxide", "aloe vera", "a lightweight fluid"], ["sensitive skin", "the beach", "daily routines"]),
    "Yoga Mat": (["natural rubber", "TPE foam", "cork"], ["yoga", "pilates", "home workouts"]),
    "Running Shoes": (["breathable mesh", "recycled polyester", "EVA foam"], ["road running", "marathon training", "gym workouts"]),
    "Camping Tent": (["ripstop nylon", "aluminium poles", "polyester fabric"], ["camping", "festivals", "backpacking trips"]),
    "Water Bottle": (["stainless steel", "BPA-free Tritan", "food-grade silicone"], ["hiking", "gym workouts", "the office"]),
    "Resistance Bands": (["natural latex", "woven fabric", "TPE"], ["strength training", "home workouts", "physiotherapy"]),
    "Hiking Backpack": (["ripstop nylon", "recycled polyester", "waterproof fabric"], ["day hikes", "trekking", "travel"]),
    "Building Blocks Set": (["child-safe plastic", "sustainable wood", "ABS plastic"], ["creative play", "early learning", "birthday gifts"]),
    "Jigsaw Puzzle": (["sturdy cardboard", "recycled board", "sustainable wood"], ["family game night", "rainy afternoons", "puzzle fans"]),
    "Board Game": (["sturdy cardboard", "wooden tokens", "linen-finish cards"], ["family game night", "parties", "strategy fans"]),
    "Plush Toy": (["soft plush", "recycled polyester filling", "organic cotton"], ["bedtime", "toddlers", "birthday gifts"]),
    "Remote Control Car": (["impact-resistant plastic", "rubber tyres", "an alloy chassis"], ["outdoor play", "racing", "birthday gifts"]),
    "Art Kit": (["a wooden case", "non-toxic paints", "recycled paper"], ["young artists", "rainy afternoons", "school projects"]),
    "Cookbook": (["full-colour pages", "a lay-flat binding", "a wipe-clean cover"], ["home cooks", "busy families", "gift giving"]),
    "Mystery Novel": (["a matte cover", "acid-free paper", "a sewn binding"], ["book clubs", "holiday reading", "crime fans"]),
    "Science Fiction Novel": (["a matte cover", "acid-free paper", "a sewn binding"], ["curious readers", "book clubs", "holiday reading"]),
    "Children's Picture Book": (["thick board pages", "full-colour pages", "a hardback cover"], ["bedtime reading", "early readers", "gift giving"]),
    "Self-Help Guide": (["acid-free paper", "a matte cover", "workbook pages"], ["personal growth", "students", "busy professionals"]),
    "History Book": (["full-colour plates", "a sewn binding", "acid-free paper"], ["history buffs", "students", "curious readers"]),
    "Denim Jacket": (["stretch denim", "organic cotton denim", "rigid selvedge denim"], ["weekend outings", "layering", "all seasons"]),
    "Cotton T-Shirt": (["organic cotton", "Supima cotton", "a cotton-linen blend"], ["everyday wear", "layering", "summer days"]),
    "Leather Handbag": (["genuine leather", "vegan leather", "suede"], ["the office", "evenings out", "everyday use"]),
    "Wool Scarf": (["merino wool", "lambswool", "a cashmere blend"], ["cold winters", "layering", "gift giving"]),
    "Sneakers": (["canvas", "leather", "recycled knit"], ["everyday wear", "weekend outings", "city walks"]),
    "Sunglasses": (["an acetate frame", "a metal frame", "polycarbonate lenses"], ["summer days", "driving", "the beach"]),
    "Ground Coffee": (["single-origin Arabica beans", "an Arabica-Robusta blend", "shade-grown beans"], ["filter coffee", "French press", "morning routines"]),
    "Green Tea": (["loose leaves", "whole-leaf pyramids", "Japanese sencha"], ["afternoon breaks", "mindful mornings", "iced tea"]),
    "Dark Chocolate": (["single-origin cocoa", "cocoa butter", "raw cane sugar"], ["healthy snacking", "home baking", "gift giving"]),
    "Olive Oil": (["cold-pressed olives", "Koroneiki olives", "early-harvest olives"], ["salads", "everyday cooking", "dipping bread"]),
    "Granola": (["rolled oats", "whole grains", "roasted nuts"], ["breakfast", "healthy snacking", "yoghurt bowls"]),
    "Pasta": (["durum wheat semolina", "whole-wheat flour", "organic spelt"], ["family dinners", "quick weeknight meals", "everyday cooking"]),
}
AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55+")
_AGE_EDGES = (18, 25, 35, 45, 55, 76)
_AGE_BAND_PROBS = np.array([0.16, 0.27, 0.24, 0.195, 0.135])
_REGIONS = ("North", "South", "East", "West", "Central")
_REGION_PROBS = np.array([0.22, 0.21, 0.2, 0.19, 0.18])
_TIERS = ("basic", "silver", "gold")
_TIER_PROBS = np.array([0.6, 0.28, 0.12])
_GENDERS = ("F", "M", "X")
_GENDER_PROBS = np.array([0.49, 0.49, 0.02])

# Category log-preference shifts by gender (order of CATEGORIES). X gets none.
_GENDER_SHIFT = {
    "F": np.array([-0.6, 0.3, 1.2, -0.5, 0.0, 0.1, 0.8, 0.0]),
    "M": np.array([0.9, -0.2, -1.0, 0.7, 0.0, 0.0, -0.4, 0.0]),
    "X": np.zeros(len(CATEGORIES)),
}
_CATEGORY_BASE = np.array([0.2, 0.2, 0.0, 0.0, -0.2, 0.0, 0.1, 0.0])
# Per-category lognormal price: (median in currency units, sigma).
_PRICE = {
    "Electronics": (60.0, 0.7), "Home & Kitchen": (30.0, 0.6), "Beauty": (18.0, 0.5),
    "Sports & Outdoors": (35.0, 0.7), "Toys & Games": (25.0, 0.6), "Books": (14.0, 0.4),
    "Fashion": (40.0, 0.6), "Grocery": (8.0, 0.5),
}
_CATEGORY_ITEM_PROBS = np.array([0.15, 0.15, 0.12, 0.12, 0.1, 0.12, 0.14, 0.1])

_BIG_BRANDS = ("Lumina", "Norvik", "Apexa", "Hearthly", "Veloce", "Orbitra", "Maple & Main", "Zentro")
_BRAND_PREFIX = (
    "Amber", "Birch", "Cobalt", "Dune", "Ember", "Fable", "Grove", "Harbor", "Iris", "Juniper",
    "Kestrel", "Linden", "Meadow", "Nimbus", "Oak", "Pebble", "Quill", "Raven", "Sable", "Thistle",
    "Umber", "Vale", "Willow", "Yarrow", "Zephyr", "Aspen", "Brook", "Cedar", "Delta", "Elm",
    "Fern", "Glint", "Heron", "Indigo", "Jasper", "Kite", "Lark", "Moss", "North", "Opal",
)
_BRAND_SUFFIX = (
    "field", "stone", "wood", "light", "crest", "ridge", "leaf", "wave", "brook", "haven",
    "gate", "worth", "well", "mark", "bay", "craft", "line", "peak", "vale", "spring",
    "ford", "moor", "land", "side", "shore",
)
_BRAND_TAG = ("", " Co.", " Studio", " Goods")

# One random stream per component, keyed by its position in this tuple
# (``SeedSequence(seed, spawn_key=(position,))``). The order is part of what a
# seed means: reordering re-draws every data set, including sample_data/.
_STREAMS = ("recommender", "timestamps", "interactions", "taste", "users", "ratings", "items")

_DAY = 86_400
# The interaction window: one year ending 2024-12-31 (UTC).
_WINDOW_END = int(pd.Timestamp("2025-01-01", tz="UTC").timestamp()) - 1
_WINDOW_START = _WINDOW_END - 365 * _DAY
_HISTORY_START = _WINDOW_START - 3 * 365 * _DAY

# Generator parameters recorded in ``truth`` (the knobs of the injected biases).
_PARAMS: dict[str, Any] = {
    # Popularity: Zipf exponent over item ranks within a (category, sub-type)
    # slot, and the spread of the slot-level popularity factor.
    "zipf_exponent": 2.8,
    "slot_popularity_sigma": 0.5,
    "n_big_sellers": 8,
    "big_seller_item_share": 0.45,
    "new_item_share": 0.08,
    # Activity: lognormal per user; the sparse band has a fixed median (at
    # most ``sparse_activity_multiplier`` times the others' median).
    "sparse_age_band": "55+",
    "sparse_median_interactions": 6,
    "sparse_activity_multiplier": 0.25,
    "activity_sigma": 0.6,
    # Taste: spread of category and sub-type log-preferences.
    "category_pref_sigma": 3.0,
    "subtype_pref_sigma": 2.5,
    # Production recommender.
    "rec_popularity_boost": 0.1,
    "rec_small_seller_penalty": 1.0,
    "rec_noise_sigma": 0.1,
    "rec_history_prior_strength": 2.0,
    "rec_min_history": 5,
    "rec_candidates_per_slot": 100,
    "rec_estimation_noise": 1.0,
    # Evaluation conventions used for the measured figures in ``truth``.
    "relevance_threshold": 4,
    "audit_k": 10,
}


@dataclass
class SyntheticData:
    """A generated data set and the ground truth about its injected biases.

    Attributes
    ----------
    interactions : pandas.DataFrame
        ``user_id, item_id, rating, timestamp`` (unix seconds).
    users : pandas.DataFrame
        ``user_id, gender, age, region, membership_tier, signup_date``.
    items : pandas.DataFrame
        ``item_id, title, description, category, seller_id, seller_size,
        brand, price, created_at``.
    recommendations : pandas.DataFrame
        ``user_id, item_id, rank, score``: the production recommender's
        top-``rec_k`` list of every user.
    truth : dict
        JSON-serialisable parameters and measured figures of each injected
        bias (see ``sample_data/README.md``).
    encodings : dict
        File kind -> text encoding for files not written as UTF-8 (the
        Chinese sample writes its users file in GBK, as many platforms do).
    """

    interactions: pd.DataFrame
    users: pd.DataFrame
    items: pd.DataFrame
    recommendations: pd.DataFrame
    truth: dict = field(default_factory=dict)
    encodings: dict = field(default_factory=dict)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write the four CSV files and ``truth.json`` into ``out_dir``.

        Parameters
        ----------
        out_dir : str or Path
            Target folder; created if missing. Existing files of the same
            names are overwritten.

        Returns
        -------
        list of Path
            The written files, in the order interactions, users, items,
            recommendations, truth.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in ("interactions", "users", "items", "recommendations"):
            path = out / f"{name}.csv"
            # lineterminator fixed so files are byte-identical across platforms.
            getattr(self, name).to_csv(path, index=False, encoding=self.encodings.get(name, "utf-8"),
                                       lineterminator="\n")
            paths.append(path)
        path = out / "truth.json"
        path.write_text(json.dumps(self.truth, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        paths.append(path)
        return paths


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(5, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _iso_dates(seconds: np.ndarray) -> np.ndarray:
    return pd.to_datetime(seconds, unit="s").strftime("%Y-%m-%d").to_numpy(dtype=object)


def _brand_names(rng: np.random.Generator, n: int, lang: str = "en") -> list[str]:
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
    # str.title() would turn "USB-C" into "Usb-C"; only raise first letters.
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


_TEMPLATES_EN = (
    "{A} {noun} made with {mat}, designed for {use}. Features {f1} and {f2}.",
    "This {noun} is {a} and uses {mat}. Ideal for {use}, with {f1}.",
    "{A} {noun} for {use}, made from {mat}: {f1} and {f2}.",
)


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


def _stratified(rng: np.random.Generator, strata: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Labels with the given proportions inside every stratum, in random order.

    Systematic sampling within each stratum: the attribute is then
    independent of the stratifying variables by construction, not merely in
    expectation, which keeps chance composition differences out of the
    "nothing injected" checks.
    """
    n = len(strata)
    order = np.lexsort((rng.random(n), strata))
    s_sorted = strata[order]
    starts = np.searchsorted(s_sorted, s_sorted, side="left")
    sizes = np.searchsorted(s_sorted, s_sorted, side="right") - starts
    n_strata = int(strata.max()) + 1
    offset = rng.random(n_strata)[s_sorted]
    frac = (np.arange(n) - starts + offset) / sizes
    labels = np.empty(n, dtype=np.int64)
    labels[order] = np.minimum(np.searchsorted(np.cumsum(probs), frac, side="right"), len(probs) - 1)
    return labels


def _make_users(rng: np.random.Generator, band: np.ndarray, counts: np.ndarray):
    n_users = len(band)
    lo = np.array(_AGE_EDGES[:-1])[band]
    hi = np.array(_AGE_EDGES[1:])[band]
    age = lo + np.floor(rng.random(n_users) * (hi - lo)).astype(np.int64)
    # Strata: age band x activity quintile within the band.
    quint = np.zeros(n_users, dtype=np.int64)
    for b in range(len(AGE_BANDS)):
        idx = np.flatnonzero(band == b)
        if len(idx):
            r = np.argsort(np.argsort(counts[idx] + rng.random(len(idx))))
            quint[idx] = (5 * r) // len(idx)
    strata = band * 5 + quint
    gender = _stratified(rng, strata, _GENDER_PROBS)
    region = _stratified(rng, strata, _REGION_PROBS)
    tier = _stratified(rng, strata, _TIER_PROBS)
    signup = rng.integers(_HISTORY_START, _WINDOW_END - 60 * _DAY, n_users)
    users = pd.DataFrame(
        {
            "user_id": _ids("U", n_users),
            "gender": np.array(_GENDERS, dtype=object)[gender],
            "age": age,
            "region": np.array(_REGIONS, dtype=object)[region],
            "membership_tier": np.array(_TIERS, dtype=object)[tier],
            "signup_date": _iso_dates(signup),
        }
    )
    # Signup dates are written at day resolution; interactions must follow
    # the written date, so keep the day floor.
    signup = (signup // _DAY) * _DAY
    return users, {"band": band, "gender": gender, "region": region, "tier": tier, "signup": signup}


def _activity(rng, band, n_interactions, min_count, cap):
    """Per-user interaction counts summing to ``n_interactions``."""
    n_users = len(band)
    sparse = band == AGE_BANDS.index(_PARAMS["sparse_age_band"])
    z = np.exp(_PARAMS["activity_sigma"] * rng.standard_normal(n_users))

    def raw(scale):
        # The sparse band keeps a fixed median however dense the data set is
        # (so the bias survives at MovieLens scale), but never more than
        # ``sparse_activity_multiplier`` times everybody else's median.
        m_sparse = min(_PARAMS["sparse_median_interactions"], _PARAMS["sparse_activity_multiplier"] * scale)
        return np.where(sparse, m_sparse, scale) * z

    def total(scale):
        return np.clip(np.round(raw(scale)), min_count, cap).sum()

    lo, hi = 0.0, 1.0
    while total(hi) < n_interactions:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if total(mid) < n_interactions else (lo, mid)
    counts = np.clip(np.round(raw(hi)), min_count, cap).astype(np.int64)
    # Settle the rounding remainder one interaction at a time on random users.
    while (diff := n_interactions - counts.sum()) != 0:
        ok = np.flatnonzero(counts < cap) if diff > 0 else np.flatnonzero(counts > min_count)
        chosen = rng.choice(ok, size=min(abs(diff), len(ok)), replace=False)
        counts[chosen] += int(np.sign(diff))
    # Guarantee one user at the minimum: the smallest possible history must be
    # exercised by downstream code.
    if min_count == 3 and not (counts == min_count).any():
        i = int(np.argmin(counts))
        extra = counts[i] - min_count
        counts[i] = min_count
        j = np.flatnonzero(counts + extra <= cap)
        j = j[j != i]
        counts[j[np.argmax(counts[j])]] += extra
    return counts


def _top_per_slot(slot: np.ndarray, value: np.ndarray, per_slot: int) -> np.ndarray:
    """Indices of the ``per_slot`` highest-``value`` items of every slot."""
    o = np.lexsort((-value, slot))
    first = np.searchsorted(slot[o], slot[o], side="left")
    return np.sort(o[np.arange(len(o)) - first < per_slot])


def _top_k(rng, user_slot, item_term, slot, users, cols, k_per_user, noise, exclude=None):
    """Per user, the ``k`` best of ``cols`` by ``user_slot[u, slot] + item_term + noise``.

    ``noise="gumbel"`` makes the top-k an exact weighted sample without
    replacement with probabilities proportional to the exponentiated score;
    a float adds Gaussian noise of that scale (a noisy ranker). ``exclude``
    holds sorted ``user * n_items + item`` keys that must not be returned.
    Users are scored in blocks so memory stays bounded. Returns flat arrays
    (user, item, score), each user's rows best first, users in input order.
    """
    n_items = len(item_term)
    col_of = np.full(n_items, -1, dtype=np.int64)
    col_of[cols] = np.arange(len(cols))
    chunk = max(1, int(4_000_000 // len(cols)))
    out_u, out_i, out_v = [], [], []
    for a in range(0, len(users), chunk):
        us = users[a:a + chunk]
        g = user_slot[us][:, slot[cols]]
        g += item_term[cols]
        if isinstance(noise, str):
            g -= np.log(-np.log(rng.random(g.shape, dtype=g.dtype)))
        elif noise:
            g += noise * rng.standard_normal(g.shape, dtype=g.dtype)
        if exclude is not None and len(exclude):
            lo = np.searchsorted(exclude, us * n_items)
            hi = np.searchsorted(exclude, (us + 1) * n_items)
            n_ex = hi - lo
            if n_ex.any():
                rows = np.repeat(np.arange(len(us)), n_ex)
                # All ranges lo..hi concatenated, without a Python loop.
                idx = np.arange(n_ex.sum()) + np.repeat(lo - (np.cumsum(n_ex) - n_ex), n_ex)
                c = col_of[exclude[idx] % n_items]
                ok = c >= 0
                g[rows[ok], c[ok]] = -np.inf
        k = k_per_user[a:a + chunk]
        kmax = int(k.max())
        if kmax < g.shape[1]:
            top = np.argpartition(-g, kmax - 1, axis=1)[:, :kmax]
        else:
            top = np.tile(np.arange(g.shape[1]), (len(us), 1))
        val = np.take_along_axis(g, top, axis=1)
        o = np.argsort(-val, axis=1, kind="stable")
        top = np.take_along_axis(top, o, axis=1)
        val = np.take_along_axis(val, o, axis=1)
        take = np.arange(top.shape[1])[None, :] < k[:, None]
        out_u.append(np.broadcast_to(us[:, None], top.shape)[take])
        out_i.append(cols[top[take]])
        out_v.append(val[take])
    return np.concatenate(out_u), np.concatenate(out_i), np.concatenate(out_v)


def _sample_interactions(rng, counts, user_slot_logit, latent, n_items):
    """Distinct items per user, drawn from affinity x popularity.

    Each user's items are a weighted sample without replacement with
    probabilities proportional to ``exp(slot affinity) * item weight``
    (Gumbel top-k). Only the ``per_slot`` heaviest items of each slot are
    eligible: beyond that rank an item's Zipf weight is negligible, and the
    cut keeps big catalogs fast.
    """
    slot = latent["slot"]
    n_slots = latent["n_slots"]
    per_slot = max(150, int(np.ceil(2 * counts.max() / n_slots)))
    cols = _top_per_slot(slot, latent["weight"], per_slot)
    u, i, _ = _top_k(rng, user_slot_logit, np.log(latent["weight"]), slot, np.arange(len(counts)),
                     cols, counts, "gumbel")
    return u * n_items + i


def _timestamps(rng, users_idx, items_idx, signup, created):
    """Unix seconds after both the signup and the item's creation.

    Equal timestamps within a user are nudged apart by a second, so "the
    last ``test_n`` interactions by timestamp" has one answer whatever the
    tie-breaking rule of the code that re-splits the data.
    """
    lower = np.maximum(np.maximum(signup[users_idx], created[items_idx]), _WINDOW_START)
    ts = lower + np.floor(rng.random(len(users_idx)) * (_WINDOW_END - lower)).astype(np.int64)
    o = np.lexsort((ts, users_idx))
    su, st = users_idx[o], ts[o]
    first = np.searchsorted(su, su, side="left")
    pos = np.arange(len(su)) - first
    # Running max of (ts - position) per user makes ts strictly increasing;
    # the user offset keeps the running max from leaking across users.
    span = np.int64(1) << 40
    shifted = su.astype(np.int64) * span + (st - _HISTORY_START - pos)
    st = np.maximum.accumulate(shifted) - su.astype(np.int64) * span + _HISTORY_START + pos
    out = np.empty_like(ts)
    out[o] = st
    return out


def _split_last(u, ts, item, n_users, test_n):
    """Boolean mask of each user's last ``test_n`` interactions by timestamp."""
    o = np.lexsort((item, ts, u))
    su = u[o]
    end = np.searchsorted(su, np.arange(n_users), side="right")
    rank_from_end = end[su] - np.arange(len(su))
    test = np.zeros(len(u), dtype=bool)
    test[o] = rank_from_end <= test_n
    return test


def _recommend(rng, u, item, train, slot_logit, latent, n_users, n_items, rec_k):
    """Production-like top-K lists.

    The production model knows each user's true slot affinity only to the
    degree the training history reveals it: the affinity is shrunk by
    ``h / (h + rec_history_prior_strength)`` and blurred by estimation noise
    that fades with history length ``h``, and users with fewer than
    ``rec_min_history`` training interactions get popularity only. On top,
    it over-weights observed popularity, penalises small sellers and adds
    per-item noise. Candidates are the ``rec_candidates_per_slot`` best items
    of each slot by the non-personal term; items from the training history
    are excluded.
    """
    slot = latent["slot"]
    tu, ti = u[train], item[train]
    h = np.bincount(tu, minlength=n_users).astype(float)
    alpha = h / (h + _PARAMS["rec_history_prior_strength"])
    blur = _PARAMS["rec_estimation_noise"] / np.sqrt(h + 1.0)
    pref = alpha[:, None] * slot_logit + blur[:, None] * rng.standard_normal(slot_logit.shape)
    # The production rule: too short a history is not personalised at all.
    pref[h < _PARAMS["rec_min_history"]] = 0.0
    item_count = np.bincount(ti, minlength=n_items)
    item_term = (
        (1.0 + _PARAMS["rec_popularity_boost"]) * np.log1p(item_count)
        - _PARAMS["rec_small_seller_penalty"] * latent["small"]
    )
    # Two-stage, like production systems: candidates are the best items of
    # each slot by the non-personal term, then every candidate is scored.
    cols = _top_per_slot(slot, item_term, _PARAMS["rec_candidates_per_slot"])
    exclude = np.sort(tu * n_items + ti)
    n_unseen = len(cols) - np.bincount(tu[np.isin(ti, cols)], minlength=n_users)
    pref = pref.astype(np.float32)
    item_term = item_term.astype(np.float32)
    sigma = np.float32(_PARAMS["rec_noise_sigma"])
    k = np.full(n_users, rec_k)
    ru, ri, vals = _top_k(rng, pref, item_term, slot, np.arange(n_users), cols, k, sigma, exclude)
    short = np.flatnonzero(n_unseen < rec_k)
    if len(short):
        # Rare: a user has bought most candidates; score the whole catalog.
        su, si, sv = _top_k(rng, pref, item_term, slot, short, np.arange(n_items), k[short], sigma, exclude)
        keep = ~np.isin(ru, short)
        ru = np.concatenate([ru[keep], su])
        ri = np.concatenate([ri[keep], si])
        vals = np.concatenate([vals[keep], sv])
        o = np.argsort(ru, kind="stable")
        ru, ri, vals = ru[o], ri[o], vals[o]
    return ri.reshape(n_users, rec_k), vals.reshape(n_users, rec_k)


def _ndcg_per_user(rec_items, rel_keys, n_rel, n_items, k):
    """Binary-gain NDCG@k of each user's list against relevant (user, item) keys."""
    n_users = rec_items.shape[0]
    keys = np.arange(n_users)[:, None] * n_items + rec_items[:, :k]
    hits = np.isin(keys, rel_keys)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ disc
    cdisc = np.concatenate([[0.0], np.cumsum(disc)])
    idcg = cdisc[np.minimum(n_rel, k)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_rel > 0, dcg / np.where(idcg > 0, idcg, 1.0), np.nan)


def _group_means(values, groups, labels):
    out: dict[str, dict[str, Any]] = {}
    for gi, name in enumerate(labels):
        v = values[(groups == gi) & ~np.isnan(values)]
        out[name] = {"n": int(len(v)), "mean": round(float(v.mean()), 4) if len(v) else None}
    means = [d["mean"] for d in out.values() if d["mean"] is not None and d["n"] >= 30]
    ratio = round(min(means) / max(means), 4) if means and max(means) > 0 else None
    return {"by_group": out, "ratio_min_over_max": ratio}


def _truth(latent, uinfo, counts, u, item, rating, test, rec_items, n_users, n_items, rec_k, params):
    k = _PARAMS["audit_k"]
    thr = _PARAMS["relevance_threshold"]
    small = latent["small"]

    # Popularity skew of the interaction log.
    cnt = np.sort(np.bincount(item, minlength=n_items))[::-1]
    top20 = cnt[: max(1, int(round(0.2 * n_items)))].sum() / cnt.sum()

    # Exposure with the default position weights 1/log2(rank+1), top-k.
    kk = min(k, rec_k)
    e = 1.0 / np.log2(np.arange(2, kk + 2))
    exp_small = (small[rec_items[:, :kk]] * e).sum() / (n_users * e.sum())
    catalog_small = small.mean()
    pos = test & (rating >= thr)
    merit_small_pos = small[item[pos]].mean()
    merit_small_all = small[item[test]].mean()

    # Accuracy per user group, held-out positives and all held-out items.
    res = {}
    for name, mask in (("heldout_rating_ge_4", pos), ("heldout_all", test)):
        keys = u[mask] * n_items + item[mask]
        nrel = np.bincount(u[mask], minlength=n_users)
        nd = _ndcg_per_user(rec_items, keys, nrel, n_items, kk)
        res[name] = nd

    def grouped(groups, labels):
        return {name: _group_means(nd, groups, labels) for name, nd in res.items()}

    gender = uinfo["gender"]
    cat_of = latent["cat"][item]
    share = {}
    for gi, gname in enumerate(_GENDERS):
        sel = gender[u] == gi
        bc = np.bincount(cat_of[sel], minlength=len(CATEGORIES)) / max(1, sel.sum())
        share[gname] = {c: round(float(x), 4) for c, x in zip(CATEGORIES, bc)}

    band = uinfo["band"]
    median_by_band = {b: float(np.median(counts[band == i])) if (band == i).any() else None
                      for i, b in enumerate(AGE_BANDS)}
    sparse = band == AGE_BANDS.index(_PARAMS["sparse_age_band"])

    return {
        "generator": "fairrec_core.data.synthetic.generate",
        "params": params,
        "latent": dict(_PARAMS, gender_category_shift={g: dict(zip(CATEGORIES, map(float, s)))
                                                      for g, s in _GENDER_SHIFT.items()}),
        "sizes": {"users": n_users, "items": n_items, "interactions": int(len(u)),
                  "recommendations": int(rec_items.size), "heldout": int(test.sum()),
                  "heldout_positives": int(pos.sum())},
        "popularity_skew": {"top20pct_items_interaction_share": round(float(top20), 4)},
        "small_seller_exposure": {
            "n_big_sellers": _PARAMS["n_big_sellers"],
            "n_small_sellers": int(latent["n_small_sellers"]),
            "catalog_share_small": round(float(catalog_small), 4),
            "interaction_share_small": round(float(small[item].mean()), 4),
            "merit_share_small_heldout_positives": round(float(merit_small_pos), 4),
            "merit_share_small_heldout_all": round(float(merit_small_all), 4),
            f"exposure_share_small_at_{kk}": round(float(exp_small), 4),
            "exposure_over_catalog_small": round(float(exp_small / catalog_small), 4),
            "exposure_over_merit_small": round(float(exp_small / merit_small_pos), 4),
        },
        "sparse_history_group": {
            "attribute": "age",
            "band": _PARAMS["sparse_age_band"],
            "share_of_users": round(float(sparse.mean()), 4),
            "median_interactions_by_band": median_by_band,
            "median_interactions_sparse": float(np.median(counts[sparse])),
            "median_interactions_others": float(np.median(counts[~sparse])),
            f"ndcg_at_{kk}_by_age_band": grouped(band, AGE_BANDS),
        },
        "gender_category_preference": {
            "category_share_of_interactions_by_gender": share,
            f"ndcg_at_{kk}_by_gender": grouped(gender, _GENDERS),
        },
        "no_injection": {
            f"ndcg_at_{kk}_by_region": grouped(uinfo["region"], _REGIONS),
            f"ndcg_at_{kk}_by_membership_tier": grouped(uinfo["tier"], _TIERS),
        },
        "users_with_min_interactions": int((counts == counts.min()).sum()),
        "min_interactions_per_user": int(counts.min()),
    }


def generate(
    n_users: int = 2000,
    n_items: int = 1000,
    n_interactions: int = 50_000,
    seed: int = 42,
    rec_k: int = 20,
    test_n: int = 2,
    lang: str = "en",
) -> SyntheticData:
    """Generate a seeded synthetic e-commerce data set with known biases.

    Parameters
    ----------
    n_users : int, default 2000
        Number of users.
    n_items : int, default 1000
        Number of catalog items.
    n_interactions : int, default 50000
        Number of (user, item) interactions, all distinct pairs. Must be at
        least ``max(3, test_n + 1) * n_users``.
    seed : int, default 42
        Seed of the random streams (one per component); equal seeds give
        identical data.
    rec_k : int, default 20
        Length of each user's production top-K list.
    test_n : int, default 2
        The production recommender is trained without each user's last
        ``test_n`` interactions (by timestamp); these are the held-out items
        the ground-truth accuracy figures are measured on.
    lang : {"en", "zh"}, default "en"
        Language of the text: "zh" writes Chinese titles, descriptions,
        categories, shop names, regions (华东, 华北, ...), a city-tier column
        and Chinese column headers. The random draws are the same, so both
        languages hold the same data and the same injected biases;
        ``truth["labels"]`` maps every English group label to its Chinese one.

    Returns
    -------
    SyntheticData
        The four frames and ``truth``.

    Raises
    ------
    ValueError
        If the sizes cannot be satisfied.

    Examples
    --------
    >>> data = generate(n_users=300, n_items=200, n_interactions=6000, seed=1)
    >>> len(data.interactions), len(data.recommendations)
    (6000, 6000)
    >>> data.truth["small_seller_exposure"]["exposure_over_catalog_small"] < 0.8
    True
    """
    for name, v in (("n_users", n_users), ("n_items", n_items), ("n_interactions", n_interactions),
                    ("rec_k", rec_k), ("test_n", test_n)):
        if int(v) != v or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    n_users, n_items, n_interactions = int(n_users), int(n_items), int(n_interactions)
    seed, rec_k, test_n = int(seed), int(rec_k), int(test_n)
    min_count = max(3, test_n + 1)
    cap = min(max(min_count, n_items // 2), n_items - rec_k)
    if n_items < 2 * rec_k or cap < min_count:
        need = max(2 * rec_k, rec_k + min_count)
        raise ValueError(f"n_items={n_items} is too small for lists of rec_k={rec_k} items; use at least {need}")
    if n_interactions < min_count * n_users:
        raise ValueError(f"n_interactions must be at least {min_count} per user ({min_count * n_users})")
    if n_interactions > cap * n_users:
        raise ValueError(f"n_interactions={n_interactions} is too many: each user may interact with at most "
                         f"{cap} of the {n_items} items, so at most {cap * n_users} in total")

    # One independent stream per component: changing how one part is drawn
    # (say, the recommender) leaves every other part of the data unchanged.
    streams = {
        name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))
        for k, name in enumerate(_STREAMS)
    }
    r_items, r_users, r_taste = streams["items"], streams["users"], streams["taste"]
    r_inter, r_time, r_rating, r_rec = (streams[k] for k in ("interactions", "timestamps", "ratings", "recommender"))
    items, latent = _make_items(r_items, n_items, lang)
    band = r_users.choice(len(AGE_BANDS), size=n_users, p=_AGE_BAND_PROBS)
    counts = _activity(r_users, band, n_interactions, min_count, cap)
    users, uinfo = _make_users(r_users, band, counts)

    # Latent user tastes: category log-preferences shifted by gender, plus
    # sub-type preferences. Region, tier and age do not enter.
    n_cat = len(CATEGORIES)
    shift = np.stack([_GENDER_SHIFT[g] for g in _GENDERS])[uinfo["gender"]]
    theta_cat = _CATEGORY_BASE + shift + _PARAMS["category_pref_sigma"] * r_taste.standard_normal((n_users, n_cat))
    theta_sub = _PARAMS["subtype_pref_sigma"] * r_taste.standard_normal((n_users, latent["n_slots"]))
    slot_logit = theta_cat[:, latent["slot_cat"]] + theta_sub

    keys = _sample_interactions(r_inter, counts, slot_logit, latent, n_items)
    u = keys // n_items
    item = keys % n_items
    counts = np.bincount(u, minlength=n_users)
    ts = _timestamps(r_time, u, item, uinfo["signup"], latent["created"])

    # Ratings follow the user's affinity for the item's slot and item quality.
    aff = slot_logit[u, latent["slot"][item]]
    z = (aff - slot_logit.mean()) / slot_logit.std()
    raw_rating = 3.3 + 0.8 * z + 0.4 * latent["quality"][item] + 0.8 * r_rating.standard_normal(len(u))
    rating = np.clip(np.round(raw_rating), 1, 5).astype(np.int64)

    test = _split_last(u, ts, item, n_users, test_n)
    rec_items, rec_scores = _recommend(r_rec, u, item, ~test, slot_logit, latent, n_users, n_items, rec_k)

    uid = users["user_id"].to_numpy()
    iid = items["item_id"].to_numpy()
    o = np.lexsort((ts, u))
    interactions = pd.DataFrame({"user_id": uid[u[o]], "item_id": iid[item[o]],
                                 "rating": rating[o], "timestamp": ts[o]})
    recommendations = pd.DataFrame(
        {
            "user_id": np.repeat(uid, rec_k),
            "item_id": iid[rec_items.ravel()],
            "rank": np.tile(np.arange(1, rec_k + 1), n_users),
            "score": np.round(rec_scores.ravel().astype(np.float64), 4),
        }
    )
    params = {"n_users": n_users, "n_items": n_items, "n_interactions": n_interactions,
              "seed": seed, "rec_k": rec_k, "test_n": test_n}
    truth = _truth(latent, uinfo, counts, u, item, rating, test, rec_items, n_users, n_items, rec_k, params)
    data = SyntheticData(interactions, users, items, recommendations, truth)
    return data if lang == "en" else _to_chinese(data, seed)


def _to_chinese(data: SyntheticData, seed: int) -> SyntheticData:
    """Chinese labels and headers over the same data (texts are drawn in Chinese upstream)."""
    labels = {
        "category": dict(zip(CATEGORIES, (zh.CATEGORY_NAMES[c] for c in CATEGORIES))),
        "gender": dict(zip(_GENDERS, zh.GENDERS)),
        "region": dict(zip(_REGIONS, zh.REGIONS)),
        "membership_tier": dict(zip(_TIERS, zh.TIERS)),
        "seller_size": dict(zh.SELLER_SIZES),
    }
    users = data.users.copy()
    for col in ("gender", "region", "membership_tier"):
        users[col] = users[col].map(labels[col])
    # City tier carries no signal, like region: its own stream (a spawn key
    # past the English ones) leaves every other draw unchanged.
    # Stratified by age band x activity quintile, as region is, so chance
    # composition differences do not pose as a signal.
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(len(_STREAMS),)))
    band = np.searchsorted(np.array(_AGE_EDGES[1:-1]), users["age"].to_numpy(), side="right")
    counts = data.interactions["user_id"].value_counts().reindex(users["user_id"]).to_numpy()
    quint = np.zeros(len(users), dtype=np.int64)
    for b in range(len(AGE_BANDS)):
        idx = np.flatnonzero(band == b)
        if len(idx):
            quint[idx] = (5 * np.argsort(np.argsort(counts[idx], kind="stable"))) // len(idx)
    tier = _stratified(rng, band * 5 + quint, np.array(zh.CITY_TIER_PROBS))
    users.insert(users.columns.get_loc("region") + 1, "city_tier",
                 np.array(zh.CITY_TIERS, dtype=object)[tier])
    items = data.items.copy()
    items["category"] = items["category"].map(labels["category"])
    items["seller_size"] = items["seller_size"].map(labels["seller_size"])
    frames = {"interactions": data.interactions, "users": users, "items": items,
              "recommendations": data.recommendations}
    renamed = {k: f.rename(columns=zh.COLUMNS[k]) for k, f in frames.items()}
    truth = dict(data.truth, lang="zh", labels=labels, columns=zh.COLUMNS)
    return SyntheticData(renamed["interactions"], renamed["users"], renamed["items"],
                         renamed["recommendations"], truth, encodings={"users": "gbk"})
