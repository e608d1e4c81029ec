"""AuditConfig: everything an audit run depends on, validated and serialisable to TOML.

One config reproduces one audit: the input files and their column mapping,
the split, the model (trained, loaded from a checkpoint, or the imported
production lists), K, the groupings and metrics, the check thresholds, the
re-ranker and its λ, and the seed. The CLI builds it from flags or
``--config audit.toml``; the dashboard offers the session's config as a
download; every report embeds the full config it was made from.

Relative file paths in a TOML file are read relative to that file's folder
(:attr:`AuditConfig.base_dir`), so a config travels with its data.

Example::

    seed = 0
    [data]
    interactions = "sample_data/interactions.csv"
    users = "sample_data/users.csv"
    [model]
    name = "imported"
    [metrics]
    k = 10
    user_groupings = ["gender", "age"]
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from fairrec_core.config_sections import (
    CONFIG_VERSION,
    FILE_KINDS,
    FORMATS,
    MODEL_NAMES,
    RERANK_METHODS,
    SECTIONS,
    CounterfactualConfig,
    DataConfig,
    EngineConfig,
    ExplainConfig,
    MetricsConfig,
    ModelConfig,
    ReportConfig,
    RerankConfig,
    SplitConfig,
)
from fairrec_core.errors import ConfigError
from fairrec_core.metrics import Thresholds
from fairrec_core.metrics._validate import MetricsInputError

_SECTIONS = {"data": DataConfig, "split": SplitConfig, "model": ModelConfig,
             "metrics": MetricsConfig, "rerank": RerankConfig, "explain": ExplainConfig,
             "report": ReportConfig, "engine": EngineConfig,
             "counterfactual": CounterfactualConfig}


@dataclass
class AuditConfig:
    """The whole audit, section by section; see the module docstring.

    Attributes
    ----------
    seed : int
        Seeds the random split, model training, bootstrap intervals and the
        choice of sample users: the same config on the same data gives the
        same report.
    thresholds : Thresholds
        Check thresholds (``[thresholds]`` in TOML).
    base_dir : Path or None
        Folder relative paths are resolved against (the TOML file's folder);
        not serialised.
    """

    data: DataConfig = field(default_factory=DataConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    thresholds: Thresholds = field(default_factory=Thresholds)
    rerank: RerankConfig = field(default_factory=RerankConfig)
    explain: ExplainConfig = field(default_factory=ExplainConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    counterfactual: CounterfactualConfig = field(default_factory=CounterfactualConfig)
    seed: int = 0
    base_dir: Path | None = field(default=None, compare=False, repr=False)

    def validate(self) -> AuditConfig:
        """Check every section; raise :class:`ConfigError` naming the key. Returns self."""
        if (isinstance(self.seed, bool) or not isinstance(self.seed, int)
                or not 0 <= self.seed < 2**32):
            raise ConfigError(f"seed must be a whole number from 0 to 2**32 - 1, got "
                              f"{self.seed!r}.")
        for name in _SECTIONS:
            getattr(self, name)._check(f"[{name}]")
        if self.model.name == "imported" and not self.data.recommendations:
            raise ConfigError("[model].name = \"imported\" audits the production lists, so "
                              "[data].recommendations must name the recommendations CSV.")
        return self

    def path(self, kind: str) -> Path | None:
        """The input file of ``kind`` as a path, resolved against :attr:`base_dir`."""
        value = getattr(self.data, kind)
        if not value:
            return None
        p = Path(value).expanduser()
        return p if p.is_absolute() or self.base_dir is None else self.base_dir / p

    def resolved(self) -> AuditConfig:
        """A copy whose file and checkpoint paths are absolute (for saving elsewhere)."""
        paths = {kind: self.path(kind) for kind in FILE_KINDS}
        absolute: dict[str, typing.Any] = {kind: str(p.resolve()) for kind, p in paths.items() if p}
        data = dataclasses.replace(self.data, **absolute)
        model = self.model
        if model.checkpoint:
            cp = Path(model.checkpoint).expanduser()
            if not cp.is_absolute() and self.base_dir is not None:
                cp = self.base_dir / cp
            model = dataclasses.replace(model, checkpoint=str(cp.resolve()))
        return dataclasses.replace(self, data=data, model=model, base_dir=None)

    # ------------------------------------------------------------------ dict / TOML
    def to_dict(self) -> dict:
        """Plain nested dict; ``None`` values are left out (TOML has no null)."""
        out: dict = {"version": CONFIG_VERSION, "seed": self.seed}
        for name in _SECTIONS:
            out[name] = _drop_none(dataclasses.asdict(getattr(self, name)))
        out["thresholds"] = self.thresholds.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict, *, base_dir: str | Path | None = None) -> AuditConfig:
        """Build and validate from a nested dict (as :meth:`to_dict` writes)."""
        if not isinstance(data, dict):
            raise ConfigError("An audit config must be a table of sections.")
        known = set(_SECTIONS) | {"seed", "thresholds", "version"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"Unknown config key(s): {', '.join(unknown)}. Known: "
                              f"{', '.join(sorted(known))}.")
        version = data.get("version", CONFIG_VERSION)
        if version != CONFIG_VERSION:
            raise ConfigError(f"This config has version {version!r}; this fairrec reads "
                              f"version {CONFIG_VERSION}.")
        kwargs: dict = {}
        for name, section_cls in _SECTIONS.items():
            if name in data:
                kwargs[name] = _section(section_cls, data[name], f"[{name}]")
        if "thresholds" in data:
            if not isinstance(data["thresholds"], dict):
                raise ConfigError("[thresholds] must be a table.")
            try:
                kwargs["thresholds"] = Thresholds.from_dict(data["thresholds"])
            except (MetricsInputError, TypeError) as exc:
                raise ConfigError(f"[thresholds]: {exc}") from None
        if "seed" in data:
            kwargs["seed"] = data["seed"]
        cfg = cls(**kwargs, base_dir=None if base_dir is None else Path(base_dir))
        return cfg.validate()

    def to_toml(self) -> str:
        """The config as TOML text (``tomli_w``)."""
        import tomli_w

        return tomli_w.dumps(self.to_dict())

    @classmethod
    def from_toml(cls, text: str, *, base_dir: str | Path | None = None) -> AuditConfig:
        """Parse TOML text; syntax errors become a :class:`ConfigError`."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"The config is not valid TOML: {exc}.") from None
        return cls.from_dict(data, base_dir=base_dir)

    @classmethod
    def load(cls, path: str | Path) -> AuditConfig:
        """Read a TOML file; relative paths inside resolve against its folder."""
        path = Path(path)
        return cls.from_dict(read_toml(path), base_dir=path.resolve().parent)

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_toml` to ``path``."""
        path = Path(path)
        path.write_text(self.to_toml(), encoding="utf-8")
        return path


# ---------------------------------------------------------------------- helpers
def read_toml(path: str | Path) -> dict:
    """A TOML file as a dict, unvalidated; unreadable files raise :class:`ConfigError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"The config file {path} does not exist.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text.") from None
    except OSError as exc:
        raise ConfigError(f"The config file {path} cannot be read: {exc.strerror}.") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None


def _drop_none(obj):
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj]
    return obj


def _section(cls, data, where: str):
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table of settings.")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ConfigError(f"Unknown setting(s) in {where}: {', '.join(unknown)}. Known: "
                          f"{', '.join(names)}.")
    return cls(**{k: _coerce(v, hints[k], f"{where}.{k}") for k, v in data.items()})


def _coerce(value, hint, where: str):
    """Check ``value`` against a field's type; ints are accepted where floats are."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        hint = next(a for a in args if a is not type(None))
        args = typing.get_args(hint)
    origin = typing.get_origin(hint) or hint
    if origin is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}.")
        return value
    if origin is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number, got {value!r}.")
        return value
    if origin is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not math.isfinite(value)):
            raise ConfigError(f"{where} must be a finite number, got {value!r}.")
        return float(value)
    if origin is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be text, got {value!r}.")
        return value
    if origin is list:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where} must be a list, got {value!r}.")
        inner = args[0] if args else typing.Any
        return [v if inner is typing.Any else _coerce(v, inner, f"{where}[{i}]")
                for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table, got {value!r}.")
        return dict(value)
    return value


__all__ = ["CONFIG_VERSION", "FILE_KINDS", "FORMATS", "MODEL_NAMES", "RERANK_METHODS", "SECTIONS",
           "AuditConfig", "CounterfactualConfig", "DataConfig", "ExplainConfig", "MetricsConfig",
           "ModelConfig", "RerankConfig", "ReportConfig", "SplitConfig", "read_toml"]
