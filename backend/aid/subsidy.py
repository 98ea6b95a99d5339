"""The serious-illness subsidy table (大病救助 分档定额) and the other help-request rules a union tunes,
read from ``config/aid.yaml``.

A tier covers ``lower <= net out-of-pocket < upper`` (the last tier is open-ended); below the first
tier there is no suggestion. Migrant workers (农民工) get every tier raised by the configured percent.
Amounts are Decimal throughout: YAML numbers are read through ``str`` so 0.1 stays 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import yaml
from flask import Flask, current_app

from backend.common.config_files import ConfigTextError
from backend.config import CONFIG_DIR

CENT = Decimal("0.01")
SERIOUS_ILLNESS = "serious_illness"
_EXTENSION = "zhigong.aid"


class AidConfigError(ConfigTextError):
    pass


@dataclass(frozen=True)
class Tier:
    lower: Decimal
    upper: Decimal | None  # None: no upper bound
    amount: Decimal

    def covers(self, net: Decimal) -> bool:
        return net >= self.lower and (self.upper is None or net < self.upper)

    @property
    def label(self) -> str:
        if self.upper is None:
            return f"{self.lower:,.0f} 元及以上"
        return f"{self.lower:,.0f}–{self.upper:,.0f} 元"


@dataclass(frozen=True)
class Suggestion:
    """参考补助金额: what the table suggests, and why (shown to staff and to the worker)."""

    amount: Decimal
    net_cost: Decimal
    tier: Tier
    uplifted: bool

    @property
    def basis(self) -> str:
        text = f"净自付 {self.net_cost:,.2f} 元，属 {self.tier.label} 档，定额 {self.tier.amount:,.2f} 元"
        if self.uplifted:
            text += "，农民工上浮"
        return f"{text}，参考补助 {self.amount:,.2f} 元"


@dataclass(frozen=True)
class SubsidyTable:
    threshold: Decimal
    tiers: tuple[Tier, ...]
    uplift_percent: Decimal
    uplift_worker_types: frozenset[str]

    def suggest(self, net_cost: Decimal, worker_type: str | None) -> Suggestion | None:
        """The tier's fixed amount for ``net_cost`` (+uplift for migrant workers), or None below it."""
        tier = next((t for t in self.tiers if t.covers(net_cost)), None)
        if tier is None:
            return None
        uplifted = worker_type in self.uplift_worker_types
        amount = tier.amount
        if uplifted:
            amount = (amount * (100 + self.uplift_percent) / 100).quantize(CENT, ROUND_HALF_UP)
        return Suggestion(amount=amount, net_cost=net_cost, tier=tier, uplifted=uplifted)


@dataclass(frozen=True)
class AidRules:
    categories: dict[str, str]
    hardship_types: dict[str, str]
    duplicate_window: timedelta
    max_amount: Decimal
    subsidy: SubsidyTable


# --- loading ------------------------------------------------------------------------------------------
def _decimal(value, where: str, *, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AidConfigError(f"{where}: must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise AidConfigError(f"{where}: must be a number, got {value!r}") from exc
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise AidConfigError(f"{where}: must be {'greater than 0' if positive else 'zero or more'}")
    if number != number.quantize(CENT):
        raise AidConfigError(f"{where}: at most two decimal places (fen)")
    return number.quantize(CENT)


def _labels(raw, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        raise AidConfigError(f"{where}: must map codes to labels")
    for code, label in raw.items():
        if not isinstance(code, str) or not code.isidentifier() or not isinstance(label, str) or not label:
            raise AidConfigError(f"{where}.{code}: needs a code (letters, _) and a label")
    return dict(raw)


def _tiers(raw, where: str, threshold: Decimal) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        raise AidConfigError(f"{where}: must be a non-empty list")
    tiers: list[Tier] = []
    for i, entry in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"from", "to", "amount"}:
            raise AidConfigError(f"{at}: must be {{from: N, to: N, amount: N}} (no other keys)")
        if "from" not in entry or "amount" not in entry:
            raise AidConfigError(f"{at}: needs 'from' and 'amount'")
        last = i == len(raw) - 1
        if "to" not in entry and not last:
            raise AidConfigError(f"{at}: only the last tier may leave out 'to'")
        tier = Tier(
            lower=_decimal(entry["from"], f"{at}.from"),
            upper=_decimal(entry["to"], f"{at}.to") if "to" in entry else None,
            amount=_decimal(entry["amount"], f"{at}.amount", positive=True),
        )
        if tier.upper is not None and tier.upper <= tier.lower:
            raise AidConfigError(f"{at}: 'to' ({tier.upper}) must be above 'from' ({tier.lower})")
        if i == 0 and tier.lower != threshold:
            raise AidConfigError(f"{at}.from: the first tier must start at the threshold ({threshold})")
        if tiers:
            before = tiers[-1]
            if tier.lower != before.upper:
                raise AidConfigError(
                    f"{at}.from: must equal the previous tier's 'to' ({before.upper}); "
                    "tiers may neither overlap nor leave a gap"
                )
            if tier.amount < before.amount:
                raise AidConfigError(f"{at}.amount: a higher tier may not pay less than the one below")
        tiers.append(tier)
    return tuple(tiers)


def _subsidy(raw, where: str) -> SubsidyTable:
    if not isinstance(raw, dict):
        raise AidConfigError(f"{where}: must be a mapping")
    unknown = set(raw) - {"threshold", "uplift_percent", "uplift_worker_types", "tiers"}
    if unknown:
        raise AidConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if "threshold" not in raw or "tiers" not in raw:
        raise AidConfigError(f"{where}: needs 'threshold' and 'tiers'")
    threshold = _decimal(raw["threshold"], f"{where}.threshold", positive=True)
    uplift = _decimal(raw.get("uplift_percent", 0), f"{where}.uplift_percent")
    if uplift > 100:
        raise AidConfigError(f"{where}.uplift_percent: must be between 0 and 100")
    worker_types = raw.get("uplift_worker_types", [])
    if not isinstance(worker_types, list) or not all(isinstance(w, str) for w in worker_types):
        raise AidConfigError(f"{where}.uplift_worker_types: must be a list of worker types")
    return SubsidyTable(
        threshold=threshold,
        tiers=_tiers(raw["tiers"], f"{where}.tiers", threshold),
        uplift_percent=uplift,
        uplift_worker_types=frozenset(worker_types),
    )


def load_aid_rules(path: Path) -> AidRules:
    """Read and check ``aid.yaml``; AidConfigError names the file and key that is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AidConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise AidConfigError(f"{path}: must be a mapping")
    required = {
        "categories",
        "hardship_types",
        "duplicate_window_days",
        "max_amount",
        "serious_illness_subsidy",
    }
    missing = required - set(raw)
    if missing:
        raise AidConfigError(f"{path}: missing {', '.join(sorted(missing))}")
    categories = _labels(raw["categories"], f"{path}: categories")
    if SERIOUS_ILLNESS not in categories:
        raise AidConfigError(
            f"{path}: categories must keep {SERIOUS_ILLNESS} (the subsidy table applies to it)"
        )
    days = raw["duplicate_window_days"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise AidConfigError(f"{path}: duplicate_window_days must be a whole number of days (0 turns it off)")
    return AidRules(
        categories=categories,
        hardship_types=_labels(raw["hardship_types"], f"{path}: hardship_types"),
        duplicate_window=timedelta(days=days),
        max_amount=_decimal(raw["max_amount"], f"{path}: max_amount", positive=True),
        subsidy=_subsidy(raw["serious_illness_subsidy"], f"{path}: serious_illness_subsidy"),
    )


def init_app(app: Flask, path: Path | None = None) -> None:
    """Load the rules when the app is built, so a broken table stops the start, not a request."""
    app.extensions[_EXTENSION] = load_aid_rules(path or CONFIG_DIR / "aid.yaml")


def rules() -> AidRules:
    """The app's aid rules, read at start."""
    return current_app.extensions[_EXTENSION]
