"""How the speed estimate fared on a chip's published runs that the constants were never fitted on.

``data/llamacpp_other_models.csv`` holds published llama-bench decode speeds of models other than the
calibration's Llama 2 7B (and of newer builds). ``bench/fit_accuracy.py`` checks the estimator on all of
them; :func:`gap` gives a learner the same figures for the chip they asked about, so an estimate that
missed on that chip says so ("off by +13 % to +77 % on the M1 Max's published runs").
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from . import data
from .errors import DataFileError
from .hardware import Hardware, base_name, find_hardware

if TYPE_CHECKING:  # fit imports this module
    from .fit import FitEstimate

TABLE = "llamacpp_other_models"
UPPER_BOUND_FROM = 0.25  # a chip whose runs came out this much slower than estimated: read the estimate as a maximum


@dataclass(frozen=True)
class PublishedRun:
    """One published run beside this method's estimate for it."""

    row: dict  # the table's row: hardware, backend, model_repo, quant, test, tg_tps, build, quote, source_url
    hardware: Hardware  # the chip from the bandwidth table, on the row's backend
    estimate: FitEstimate  # this method's estimate for the row's model, quant and test on that chip
    layers: int

    @property
    def error(self) -> float:
        """estimate / measured - 1: positive when the estimate was faster than the run."""
        return self.estimate.tokens_per_s / self.row["tg_tps"] - 1


@dataclass(frozen=True)
class PublishedGap:
    """The range of this method's errors on a chip's published runs."""

    hardware: str  # the chip(s) the runs were on, as the table names them
    backend: str
    runs: int
    low: float
    high: float

    @property
    def upper_bound(self) -> bool:
        """Every run was slower than estimated, one of them by UPPER_BOUND_FROM or more."""
        return self.high >= UPPER_BOUND_FROM and self.low > 0


def runs() -> tuple[PublishedRun, ...]:
    """Every published run with this method's estimate for it (the row's chip, backend, model, quant and test)."""
    key = _version()
    return tuple(_run(key, i) for i in range(len(data.load(TABLE))))


def _version() -> tuple[str, int]:
    """The table's file and modification time: the cached estimates follow a changed or swapped table."""
    path = data.path_of(TABLE)
    return str(path), path.stat().st_mtime_ns if path.exists() else -1


@lru_cache(maxsize=None)
def _run(version: tuple[str, int], index: int) -> PublishedRun:
    from . import fit

    r = data.load(TABLE)[index]
    hw = replace(find_hardware(r["hardware"]), backend=r["backend"], hw_class=r["backend"])
    n = int(r["test"][2:])  # tgN: N tokens from an empty cache (on average N/2 in it); ppN (N = 1): one step
    context = max(1, n // 2 if r["test"].startswith("tg") else n)
    with _estimating():
        e = fit.estimate(r["model_repo"], r["quant"], context, hardware=hw)
    return PublishedRun(r, hw, e, fit.shape_for(r["model_repo"]).n_layers)


def gap(hardware_name: str, backend: str) -> PublishedGap | None:
    """The errors on the published runs of this chip (any variant of it: hardware.base_name) on this backend;
    None when it has none, and while those runs are being estimated (their estimates do not look themselves up)."""
    if getattr(_state, "inside", False):
        return None
    try:
        return _gap(_version(), base_name(hardware_name), backend)
    except DataFileError:  # a missing or broken table takes the caution away, not the estimate
        return None


@lru_cache(maxsize=None)
def _gap(version: tuple[str, int], name: str, backend: str) -> PublishedGap | None:
    rows = data.load(TABLE)
    mine = [_run(version, i) for i, r in enumerate(rows)
            if base_name(r["hardware"]) == name and r["backend"] == backend]
    if not mine:
        return None
    errors = [r.error for r in mine]
    return PublishedGap(" / ".join(dict.fromkeys(r.row["hardware"] for r in mine)), backend, len(mine), min(errors),
                        max(errors))


_state = threading.local()


@contextmanager
def _estimating():
    _state.inside = True
    try:
        yield
    finally:
        _state.inside = False
