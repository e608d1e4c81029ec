"""Which device the models train and score on, and seeding for repeatable training."""

from __future__ import annotations

from fairrec_core.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda", "mps")


def resolve_device(device: str = "auto"):
    """Turn ``"auto" | "cpu" | "cuda[:n]" | "mps"`` into a ``torch.device``.

    ``auto`` prefers CUDA, then Apple's MPS, then the CPU. Naming a device
    that is not there is an error rather than a silent fallback, so a user
    who asked for the GPU knows they did not get it.
    """
    import torch

    spec = str(device or "auto").strip().lower()
    if spec == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    base = spec.split(":")[0]
    if base not in DEVICES:
        raise ConfigError(f"Unknown device '{device}'; use auto, cpu, cuda or mps.")
    if base == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device='cuda' was asked for, but PyTorch sees no CUDA GPU on this "
                          "machine (or this PyTorch build is CPU-only). Use device='auto' or "
                          "'cpu'.")
    if base == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ConfigError("device='mps' was asked for, but Apple's Metal backend is not "
                              "available here. Use device='auto' or 'cpu'.")
    return torch.device(spec)


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and CUDA) so that CPU training is bit-for-bit repeatable."""
    import torch

    torch.manual_seed(int(seed))
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(int(seed))
