"""The town staff's back office (``/staff``): call logs and their timelines, the audit trail,
families and their children's months, acting for a family (with audited deadline overrides),
closures, imports, staff accounts, and an in-browser phone that drives the real line.

``init_app`` registers the blueprint and builds the capability's services once per application.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, links: list[tuple[str, str]]) -> None:
    """Register the staff pages on ``app`` and add them to the home page's ``links``."""
    from restomairie.staff.views import StaffParts, bp

    app.extensions["restomairie.staff"] = StaffParts(app.extensions["restomairie"])
    app.register_blueprint(bp)
    links.append(("/staff/", "Espace du personnel"))
    links.append(("/staff/phone", "Téléphone d'essai dans le navigateur (personnel)"))
