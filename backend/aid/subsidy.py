"""The serious-illness subsidy table (大病救助 分档定额) and the other help-request rules a union tunes,
read from ``config/aid.yaml``.

A tier covers ``lower <= net out-of-pocket < upper`` (the last tier is open-ended); below the first
tier there is no suggestion. Migrant workers (农民工) get every tier raised by the configured percent.
Amounts are Decimal throughout: YAML numbers are read through ``str`` so 0.1 stays 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import marshmallow as ma
from flask import Flask, current_app

from backend.common.config_files import (
    ConfigSchema,
    ExactNumber,
    Labels,
    StrictConfigSchema,
    WholeNumber,
    Yuan,
    load,
)
from backend.config import CONFIG_DIR

CENT = Decimal("0.01")
SERIOUS_ILLNESS = "serious_illness"
_EXTENSION = "zhigong.aid"


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
class _Tier(StrictConfigSchema):
    unknown_message = "must be {{from: N, to: N, amount: N}} (no other keys)"

    lower = Yuan(required=True, data_key="from")
    upper = Yuan(load_default=None, data_key="to")
    amount = Yuan(required=True, positive=True)

    @ma.validates_schema
    def _ordered(self, data: dict, **_kwargs) -> None:
        if data["upper"] is not None and data["upper"] <= data["lower"]:
            raise ma.ValidationError(f"'to' ({data['upper']}) must be above 'from' ({data['lower']})")

    @ma.post_load
    def _tier(self, data: dict, **_kwargs) -> Tier:
        return Tier(**data)


class _Subsidy(StrictConfigSchema):
    threshold = Yuan(required=True, positive=True)
    uplift_percent = ExactNumber(
        load_default=Decimal(0),
        places=2,
        validate=ma.validate.Range(max=100, error="must be between 0 and 100"),
    )
    uplift_worker_types = ma.fields.List(
        ma.fields.String(error_messages={"invalid": "must be a list of worker types"}),
        load_default=list,
        error_messages={"invalid": "must be a list of worker types"},
    )
    tiers = ma.fields.List(
        ma.fields.Nested(_Tier),
        required=True,
        validate=ma.validate.Length(min=1, error="must be a non-empty list"),
        error_messages={"invalid": "must be a non-empty list"},
    )

    @ma.validates_schema
    def _contiguous(self, data: dict, **_kwargs) -> None:
        """The tiers start at the threshold and follow each other with neither gap nor overlap; only
        the last may be open-ended, and a bigger bill never gets a smaller subsidy."""
        tiers: list[Tier] = data["tiers"]
        for i, tier in enumerate(tiers):
            if tier.upper is None and i < len(tiers) - 1:
                raise ma.ValidationError({"tiers": {i: ["only the last tier may leave out 'to'"]}})
            if i == 0 and tier.lower != data["threshold"]:
                problem = f"the first tier must start at the threshold ({data['threshold']})"
                raise ma.ValidationError({"tiers": {i: {"from": [problem]}}})
            if i == 0:
                continue
            before = tiers[i - 1]
            if tier.lower != before.upper:
                problem = (
                    f"must equal the previous tier's 'to' ({before.upper}); "
                    "tiers may neither overlap nor leave a gap"
                )
                raise ma.ValidationError({"tiers": {i: {"from": [problem]}}})
            if tier.amount < before.amount:
                problem = "a higher tier may not pay less than the one below"
                raise ma.ValidationError({"tiers": {i: {"amount": [problem]}}})

    @ma.post_load
    def _table(self, data: dict, **_kwargs) -> SubsidyTable:
        return SubsidyTable(
            threshold=data["threshold"],
            tiers=tuple(data["tiers"]),
            uplift_percent=data["uplift_percent"],
            uplift_worker_types=frozenset(data["uplift_worker_types"]),
        )


class AidFile(ConfigSchema):
    """``config/aid.yaml``."""

    categories = Labels(required=True)
    hardship_types = Labels(required=True)
    duplicate_window_days = WholeNumber(
        required=True, minimum=0, message="must be a whole number of days (0 turns it off)"
    )
    max_amount = Yuan(required=True, positive=True)
    serious_illness_subsidy = ma.fields.Nested(_Subsidy, required=True)

    @ma.validates_schema
    def _serious_illness_kept(self, data: dict, **_kwargs) -> None:
        if SERIOUS_ILLNESS not in data["categories"]:
            raise ma.ValidationError(
                f"must keep {SERIOUS_ILLNESS} (the subsidy table applies to it)", "categories"
            )

    @ma.post_load
    def _rules(self, data: dict, **_kwargs) -> AidRules:
        return AidRules(
            categories=data["categories"],
            hardship_types=data["hardship_types"],
            duplicate_window=timedelta(days=data["duplicate_window_days"]),
            max_amount=data["max_amount"],
            subsidy=data["serious_illness_subsidy"],
        )


def load_aid_rules(path: Path) -> AidRules:
    """Read and check ``aid.yaml``; any problem names the file and the key."""
    return load(path, AidFile())


def init_app(app: Flask, path: Path | None = None) -> None:
    """Load the rules when the app is built, so a broken table stops the start, not a request."""
    app.extensions[_EXTENSION] = load_aid_rules(path or CONFIG_DIR / "aid.yaml")


def rules() -> AidRules:
    """The app's aid rules, read at start."""
    return current_app.extensions[_EXTENSION]
