"""English vocabulary of the synthetic generator: product words, materials, brands.

Each category has sub-types (product nouns) with their own feature words, so
titles and descriptions carry the latent structure that a text-reading model
can pick up for items with few interactions. ``synthetic_zh`` mirrors every
list here, same lengths and order, so both languages draw the same items.
"""

from __future__ import annotations

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

_TEMPLATES_EN = (
    "{A} {noun} made with {mat}, designed for {use}. Features {f1} and {f2}.",
    "This {noun} is {a} and uses {mat}. Ideal for {use}, with {f1}.",
    "{A} {noun} for {use}, made from {mat}: {f1} and {f2}.",
)
