"""One referral as a FHIR R4 Bundle, read from the database: the referral row and the exact flow
version it was answered on, mapped by ``core/fhir.py``. Shared by the console's download, the
integration API and ``intake-chat referral fhir``. Imports nothing from Flask.
"""

from __future__ import annotations

import json
from typing import Any

from ..core import fhir
from ..storage import Database
from ..storage import accounts as staff_store
from ..storage import conversations as chat_store


def referral_bundle(
    db: Database, referral_id: str, *, public_url: str = ""
) -> dict[str, Any] | None:
    """The Bundle, or None when there is no such referral. A flow version that cannot be read
    (never the case for a referral the service stored) gives an empty Questionnaire."""
    with db.read() as conn:
        referral = chat_store.get_referral(conn, referral_id)
        if referral is None:
            return None
        document = staff_store.flow_document(conn, referral["flow_id"], referral["flow_version"])
    try:
        flow = json.loads(document) if document else {}
    except ValueError:
        flow = {}
    return fhir.bundle(
        referral, flow if isinstance(flow, dict) else {}, base=fhir.base_for(public_url)
    )


def dumps(bundle: dict[str, Any]) -> str:
    """The JSON text served and written: UTF-8, readable, stable key order."""
    return json.dumps(bundle, ensure_ascii=False, indent=2)
