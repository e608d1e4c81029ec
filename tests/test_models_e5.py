"""The bundled multilingual e5 encoder reads Chinese: matching texts score above others."""

from __future__ import annotations

import numpy as np

from fairrec_core.models.e5_encoder import e5_fingerprint, encode_e5, is_e5


def test_aliases():
    assert is_e5("e5") and is_e5(" Multilingual-E5-Small ") and not is_e5("minilm")


def test_vectors_are_unit_length_and_deterministic():
    a = encode_e5(["明光无线降噪头戴耳机 黑色", "Organic green tea, 250 g"])
    b = encode_e5(["明光无线降噪头戴耳机 黑色", "Organic green tea, 250 g"], batch_size=1)
    assert a.shape == (2, 384) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert len(e5_fingerprint()) == 16


def test_chinese_query_finds_the_matching_chinese_item():
    items = ["女士夏季雪纺连衣裙 碎花", "机械键盘 RGB背光 87键", "儿童积木玩具 500颗粒",
             "有机绿茶 茉莉花香 250克", "登山包 30升 防雨罩"]
    queries = ["适合女生的裙子", "打游戏用的键盘", "给孩子的玩具", "喝的茶叶", "徒步背包"]
    v_items = encode_e5(items)
    v_q = encode_e5(queries)
    # Each query's best item is its own (a 5x5 assignment, chance 1/120 for all five).
    assert (np.argmax(v_q @ v_items.T, axis=1) == np.arange(5)).all()
