"""Log-likelihood of candidate continuations after a prompt, with a shared prompt cache.

For a prompt P and candidates c_1..c_C, the score of c is
log p(c | P) = Σ_t log p(c_t | P, c_<t). The naive way runs every sequence
P + c through the model, recomputing P's keys and values C times. Here P
runs once; its key/value cache is repeated across a batch of candidates,
which then run only their own tokens (right-padded; padding comes after the
real tokens of a causal model, so it never changes them). Both paths are kept:
the naive one is the reference the tests and the benchmark compare against.
"""

from __future__ import annotations

import numpy as np


def _cache_from(kv, repeats: int):
    """A fresh DynamicCache holding ``kv`` (per layer keys, values) repeated ``repeats`` times."""
    from transformers import DynamicCache

    cache = DynamicCache()
    for layer, (k, v) in enumerate(kv):
        cache.update(k.expand(repeats, *k.shape[1:]).contiguous(),
                     v.expand(repeats, *v.shape[1:]).contiguous(), layer)
    return cache


def _cache_tensors(past) -> list:
    """Per-layer (keys, values) of a cache object, whatever its transformers version."""
    layers = getattr(past, "layers", None)
    if layers is not None:
        return [(lay.keys, lay.values) for lay in layers]
    return [(k, v) for k, v in past]


def _cache_arg(model) -> str:
    """Name of the cache argument: ``cache`` from transformers 5.2x, ``past_key_values`` before."""
    import inspect

    params = inspect.signature(model.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def _out_cache(out):
    cache = out.get("cache") if hasattr(out, "get") else None
    return cache if cache is not None else out.past_key_values


def _pad(seqs: list, pad_id: int, device):
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = torch.as_tensor(s, dtype=torch.long)
        mask[r, :len(s)] = 1
    return ids.to(device), mask.to(device)


def shared_prompt_scores(model, prompt: list, candidates: list, *, batch_size: int = 64,
                         pad_id: int = 0, reduce: str = "mean") -> np.ndarray:
    """Scores of ``candidates`` (token id lists) after ``prompt``, prompt computed once.

    Parameters
    ----------
    model : transformers causal LM (eval mode)
    prompt : list of int
        Token ids of the prompt (at least one).
    candidates : list of list of int
        Token ids of each candidate continuation (at least one each).
    batch_size : int
        Candidates run at once.
    pad_id : int
        Any valid token id; padded positions are masked out.
    reduce : {"mean", "sum"}
        Mean log-probability per token (does not favour short titles) or the sum.

    Returns
    -------
    numpy.ndarray of float64, shape (len(candidates),)
    """
    import torch

    dev = next(model.parameters()).device
    with torch.no_grad():
        p = torch.as_tensor(prompt, dtype=torch.long, device=dev)[None]
        out = model(input_ids=p, use_cache=True)
        first = torch.log_softmax(out.logits[0, -1].float(), dim=-1)
        kv = [(k.detach(), v.detach()) for k, v in _cache_tensors(_out_cache(out))]
        scores = np.empty(len(candidates))
        n_prompt = p.shape[1]
        for a in range(0, len(candidates), batch_size):
            chunk = candidates[a:a + batch_size]
            ids, mask = _pad(chunk, pad_id, dev)
            b, t = ids.shape
            attn = torch.cat([torch.ones((b, n_prompt), dtype=mask.dtype, device=dev), mask], 1)
            pos = (n_prompt + torch.arange(t, device=dev))[None].expand(b, t)
            logits = model(input_ids=ids, attention_mask=attn, position_ids=pos,
                           use_cache=True, **{_cache_arg(model): _cache_from(kv, b)}).logits
            lp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
            tok = first[ids[:, 0]]
            rest = lp.gather(-1, ids[:, 1:, None])[..., 0] * mask[:, 1:]
            scores[a:a + b] = _reduce(tok + rest.sum(1), mask, reduce)
    return scores


def naive_scores(model, prompt: list, candidates: list, *, batch_size: int = 64,
                 pad_id: int = 0, reduce: str = "mean") -> np.ndarray:
    """The same scores, running the whole sequence prompt + candidate for every candidate."""
    import torch

    dev = next(model.parameters()).device
    n_prompt = len(prompt)
    scores = np.empty(len(candidates))
    with torch.no_grad():
        for a in range(0, len(candidates), batch_size):
            chunk = candidates[a:a + batch_size]
            ids, mask = _pad([list(prompt) + list(c) for c in chunk], pad_id, dev)
            logits = model(input_ids=ids, attention_mask=mask).logits
            lp = torch.log_softmax(logits[:, n_prompt - 1:-1].float(), dim=-1)
            target = ids[:, n_prompt:]
            cmask = mask[:, n_prompt:]
            got = lp.gather(-1, target[..., None])[..., 0] * cmask
            scores[a:a + len(chunk)] = _reduce(got.sum(1), cmask, reduce)
    return scores


def _reduce(total, mask, reduce: str) -> np.ndarray:
    total = total.double().cpu().numpy()
    if reduce == "sum":
        return total
    return total / mask.sum(1).double().cpu().numpy()
