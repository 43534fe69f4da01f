"""What every screen of one running app shares: the store, reference data, language."""

from __future__ import annotations

from dataclasses import dataclass, field

from field_app.domain.reference import Reference
from field_app.store import Store
from field_app.ui.i18n import Translator


@dataclass
class AppContext:
    store: Store
    reference: Reference
    t: Translator = field(default_factory=Translator)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (title key, message) at start
