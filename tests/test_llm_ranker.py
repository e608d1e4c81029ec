"""LLM ranker on a tiny random Llama built inside the test (no download)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairrec_core.errors import ConfigError
from fairrec_core.llm._lm_scoring import naive_scores, shared_prompt_scores
from fairrec_core.llm.probe import run_probe
from fairrec_core.llm.profile import ProfileTemplate, render_profiles
from fairrec_core.llm.ranker import DEFAULT_PROMPT, LLMRanker, load_causal_lm

WORDS = ("red blue green lamp shoe book serum tent mug pen thing female male non-binary "
         "north south region age recently bought i am a customer of an online shop about "
         "me please recommend product that you think might like answer with the title only "
         "recommended").split()


def _word_tokenizer(folder):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[PAD]": 0, "[UNK]": 1, "[BOS]": 2}
    for w in WORDS + [str(d) for d in range(10)] + list(".,:;"):
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(),
                                                  pre_tokenizers.Digits(individual_digits=True)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   bos_token="[BOS]")
    fast.save_pretrained(str(folder))
    return len(vocab)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models run their many small matrix products fastest on one thread; on a
    shared, oversubscribed CPU two spinning threads made them ~70x slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("tiny_llama")
    n_vocab = _word_tokenizer(folder)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=n_vocab, hidden_size=32, intermediate_size=64,
                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                      max_position_embeddings=512, pad_token_id=0, bos_token_id=2)
    LlamaForCausalLM(cfg).save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="module")
def shop():
    from fairrec_core.data import load_dataset

    n_users, n_items = 24, 12
    colours, things = ["red", "blue", "green"], ["lamp", "shoe", "book", "serum"]
    users = pd.DataFrame({"user_id": [f"u{i}" for i in range(n_users)],
                          "gender": ["F", "M", "X"] * 8, "region": ["North", "South"] * 12})
    rows = [(f"u{u}", f"i{(u * 5 + j) % n_items}", 1_700_000_000 + j)
            for u in range(n_users) for j in range(3)]
    items = pd.DataFrame({"item_id": [f"i{i}" for i in range(n_items)],
                          "title": [f"{colours[i % 3]} {things[i % 4]} {i}"
                                    for i in range(n_items)]})
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    return load_dataset(inter.to_csv(index=False).encode(),
                        users.to_csv(index=False).encode(), items.to_csv(index=False).encode())


def test_shared_cache_equals_full_sequence_scores(tiny_lm, shop):
    ranker = LLMRanker(str(tiny_lm), n_candidates=9, batch_size=4).fit(shop)
    prompt = ranker.prompt_ids("female, North region. Recently bought: red lamp 0.")
    cands = [ranker.title_ids_[i] for i in range(12)]
    assert len({len(c) for c in cands}) > 1  # titles of several lengths: padding is exercised
    for reduce in ("mean", "sum"):
        shared = shared_prompt_scores(ranker.lm_, prompt, cands, batch_size=5, reduce=reduce)
        naive = naive_scores(ranker.lm_, prompt, cands, batch_size=12, reduce=reduce)
        np.testing.assert_allclose(shared, naive, atol=1e-5, rtol=0)


def test_scores_are_the_title_log_likelihood(tiny_lm, shop):
    """Independent reference: one unbatched forward pass, log-softmax summed by hand."""
    import torch

    ranker = LLMRanker(str(tiny_lm), reduce="sum").fit(shop)
    prompt = ranker.prompt_ids("male.")
    title = ranker.title_ids_[3]
    ids = torch.tensor([prompt + title])
    with torch.no_grad():
        logp = torch.log_softmax(ranker.lm_(input_ids=ids).logits[0], -1)
    expected = sum(float(logp[len(prompt) - 1 + t, title[t]]) for t in range(len(title)))
    got = ranker.score_items("male.", [3])[0]
    assert got == pytest.approx(expected, abs=1e-5)


def test_ranking_uses_only_unseen_base_candidates(tiny_lm, shop):
    from fairrec_core.data import split_dataset

    split = split_dataset(shop, test_n=1, valid_n=0)
    ranker = LLMRanker(str(tiny_lm), n_candidates=6).fit(shop, split)
    users = np.arange(10)
    profiles = render_profiles(shop, split.train, users, ranker.template_)
    top = ranker.rank_profiles(users, profiles, 4)
    cands = ranker.candidates_for(users)
    seen = ranker.base_.seen_
    for r, u in enumerate(users):
        assert set(top[r]) <= set(cands[r])
        assert not set(top[r]) & set(seen[u].indices)
    naive = ranker.rank_profiles(users, profiles, 4, share=False)
    np.testing.assert_array_equal(top, naive)


def test_probe_runs_on_the_llm_ranker(tiny_lm, shop):
    ranker = LLMRanker(str(tiny_lm), n_candidates=8,
                       template=ProfileTemplate(parts=("{gender}", "{region} region"))).fit(shop)
    res = run_probe(ranker, shop, attributes=["gender"], k=5, n_users=12, n_boot=100)
    g = res.attributes["gender"]
    assert set(g.sim["jaccard"]) == {"F", "M", "X"}
    # Same candidate set for every profile: Jaccard@5 of 5-of-8 lists is at least 2/8.
    assert all(v >= 2 / 8 for v in g.sim["jaccard"].values())
    assert res.neutral.shape == (12, 5)


def test_not_a_causal_lm_is_a_clear_error(tmp_path):
    from transformers import BertConfig, BertModel

    BertModel(BertConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, vocab_size=50)).save_pretrained(str(tmp_path))
    with pytest.raises(ConfigError, match="not a causal"):
        load_causal_lm(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_causal_lm(tmp_path / "nowhere")


def test_prompt_needs_profile_slot(tiny_lm, shop):
    with pytest.raises(ConfigError, match="profile"):
        LLMRanker(str(tiny_lm), prompt="Recommend:").fit(shop)
    assert "{profile}" in DEFAULT_PROMPT
