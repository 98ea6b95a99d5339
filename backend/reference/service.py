"""参考数据 — the option lists, texts and versions a client needs, gathered from the domains that
own them (models' labels, ``config/``), so no client keeps its own copy."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import marshmallow as ma
from flask import current_app

from backend.aid import subsidy
from backend.aid.models import AID_STATUS_LABELS
from backend.common.config_files import ConfigError, ConfigSchema, NonEmptyText, load
from backend.competitions.models import CATEGORY_LABELS as INNOVATION_LABELS
from backend.competitions.models import ENTRY_MODE_LABELS, KIND_LABELS
from backend.competitions.models import STATUS_LABELS as COMPETITION_STATUS_LABELS
from backend.config import CONFIG_DIR
from backend.events.models import EVENT_STATUS_LABELS, SIGNUP_STATUS_LABELS
from backend.events.rules import rules as event_rules
from backend.legal.models import BOOKING_STATUS_LABELS, MODE_LABELS
from backend.legal.rules import rules as legal_rules
from backend.members.models import REVIEW_STATUS_LABELS, WORKER_TYPE_LABELS
from backend.notify.service import templates
from backend.orgs.models import CATEGORY_LABELS, OrgCategory
from backend.wages.models import WAGE_STATUS_LABELS

PRIVACY_FILE = CONFIG_DIR / "privacy.yaml"
_NOTICES = "zhigong.privacy_notices"
GENDER_LABELS = {"male": "男", "female": "女"}


class PrivacyFile(ConfigSchema):
    """``config/privacy.yaml``: the privacy notice's text of every version."""

    notices = ma.fields.Dict(
        keys=ma.fields.Raw(),
        values=NonEmptyText(),
        required=True,
        validate=ma.validate.Length(min=1, error="must map versions to texts"),
    )


def load_privacy_notices(path: Path = PRIVACY_FILE) -> dict[str, str]:
    """Every version of the privacy notice (隐私政策), by version; a problem names the file and key."""
    notices = load(path, PrivacyFile())["notices"]
    return {str(version): text for version, text in notices.items()}


def init_app(app) -> None:
    notices = load_privacy_notices()
    version = app.extensions["zhigong.settings"].consent_version
    if version not in notices:
        raise ConfigError(PRIVACY_FILE, "notices", f"has no text for CONSENT_VERSION {version!r}")
    app.extensions[_NOTICES] = notices


def options(labels: dict) -> list[dict[str, str]]:
    """``{code: 中文名}`` as the list a picker shows, in the owner's order."""
    return [{"value": str(value), "label": label} for value, label in labels.items()]


def reference_data() -> dict:
    """Everything a client needs to show choices and labels, and the texts it must show verbatim."""

    version = current_app.extensions["zhigong.settings"].consent_version
    kinds = templates()
    groups: dict[str, list[str]] = {}
    for kind, template in kinds.items():
        ids = groups.setdefault(kind.split(".", 1)[0], [])
        if template.template_id not in ids:
            ids.append(template.template_id)
    return {
        "genders": options(GENDER_LABELS),
        "worker_types": options(WORKER_TYPE_LABELS),
        "aid_categories": options(subsidy.rules().categories),
        "legal_topics": options(legal_rules().topics),
        "legal_modes": options(MODE_LABELS),
        "innovation_categories": options(INNOVATION_LABELS),
        "competition_kinds": options(KIND_LABELS),
        "entry_modes": options(ENTRY_MODE_LABELS),
        "unit_categories": options(
            {k: v for k, v in CATEGORY_LABELS.items() if k != OrgCategory.COUNTY_FEDERATION}
        ),
        "statuses": {
            "membership": options(REVIEW_STATUS_LABELS),
            "aid": options(AID_STATUS_LABELS),
            "wage": options(WAGE_STATUS_LABELS),
            "legal_booking": options(BOOKING_STATUS_LABELS),
            "event": options(EVENT_STATUS_LABELS),
            "event_signup": options(SIGNUP_STATUS_LABELS),
            "competition": options(COMPETITION_STATUS_LABELS),
        },
        "privacy_notice": {"version": version, "text": current_app.extensions[_NOTICES][version]},
        "single_declaration": {
            "version": event_rules().declaration_version,
            "text": event_rules().declaration_text,
        },
        "subscribe_templates": {kind: t.template_id for kind, t in sorted(kinds.items())},
        "subscribe_template_groups": groups,
    }


def etag_of(data: dict) -> str:
    """A strong validator of the reference data: it changes exactly when the content does."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()[:32]
