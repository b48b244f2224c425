"""The web application: the phone line's webhooks, the kitchen and staff pages.

``create_app`` is the factory (flaskr's pattern): blueprints are imported and registered here, and
the :class:`~restomairie.runtime.Runtime` (configuration, clock, database, services) hangs on
``app.extensions["restomairie"]``.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Flask,
    Request,
    Response,
    current_app,
    render_template_string,
    request,
    send_from_directory,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from restomairie.runtime import Runtime

INDEX = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Resto-Mairie — {{ town }}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto;
 padding: 0 1rem">
<h1>Resto-Mairie — {{ town }}</h1>
<p>La ligne téléphonique de réservation des repas de restauration scolaire{% if number %}
({{ number }}){% endif %}.</p>
<ul>{% for href, label in links %}<li><a href="{{ href }}">{{ label }}</a></li>{% endfor %}</ul>
</body></html>"""

# A page of this module's (the index) or an error page: no script, its inline style only.
# The site's icon (static/favicon.svg) is its one image.
PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session (the staff pages' login and CSRF token), not opened for
    the phone line's webhooks: Twilio sends no cookie and the line keeps its state in the
    database, so the cookie's serializer is not built on every webhook for nothing."""

    def __init__(self, cookieless_prefix: str) -> None:
        self.cookieless_prefix = cookieless_prefix.rstrip("/") + "/"

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(self.cookieless_prefix):
            return None  # Flask's null session: nothing read, nothing written
        return super().open_session(app, request)


def get_runtime() -> Runtime:
    """The runtime of the current application."""
    runtime: Runtime = current_app.extensions["restomairie"]
    return runtime


def client_address() -> str:
    """The client's address, as the rate limits count it (the staff login's, the kitchen
    token's): the connection's, or the one the trusted proxies forwarded
    (``RESTOMAIRIE_TRUSTED_PROXIES``: :func:`create_app` puts werkzeug's ProxyFix in front,
    which rewrites ``remote_addr``)."""
    return request.remote_addr or ""


def create_app(test_config: dict[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the Flask application for one deployment."""
    app = Flask(__name__)
    runtime = runtime or Runtime.build()
    app.extensions["restomairie"] = runtime
    public_url = runtime.settings.secret("RESTOMAIRIE_PUBLIC_URL") or ""
    https = public_url.lower().startswith("https://")
    app.config.update(
        SECRET_KEY=runtime.settings.secret("RESTOMAIRIE_SECRET_KEY") or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Served over HTTPS (the public URL says so): the staff session never travels in clear.
        SESSION_COOKIE_SECURE=https,
        # The https address the CSRF refusal names to an agent on plain http (csrf_refusal).
        RESTOMAIRIE_PUBLIC_URL=public_url,
        # The staff's CSV imports (a town's families: a few megabytes); the phone line's
        # webhooks have their own limit, 1 MB (restomairie.ivr.views.WEBHOOK_MAX_BYTES).
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
    )
    if test_config:
        app.config.update(test_config)
    hops = int(app.config.get("RESTOMAIRIE_TRUSTED_PROXIES", runtime.settings.trusted_proxies))
    if hops:
        # Behind reverse proxies, the client's address (the staff login's rate limit counts by
        # it) is the one the nearest trusted proxies forwarded: only their X-Forwarded-For
        # entries are believed, never what a client writes there itself. The host, scheme and
        # path are left alone: the phone line checks Twilio's signatures against the public
        # URL configured, not against what the proxies say.
        proxied = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)
        app.wsgi_app = proxied  # type: ignore[method-assign]
    links: list[tuple[str, str]] = []
    app.config["RESTOMAIRIE_LINKS"] = links
    # --- blueprints (one block per capability; each may append to ``links``) ---
    from restomairie.ivr.views import bp as phone_line_bp
    from restomairie.ivr.views import register as register_phone_line

    register_phone_line(app, runtime)
    app.session_interface = SessionInterface(str(phone_line_bp.url_prefix))
    from restomairie import staff

    staff.init_app(app, links)
    from restomairie.kitchen.views import bp as kitchen_bp

    app.register_blueprint(kitchen_bp)
    links.append(("/kitchen/", "Cuisine : effectifs des repas des prochains jours"))

    ivr_prefix = str(phone_line_bp.url_prefix).rstrip("/") + "/"
    from restomairie import errors

    errors.register(app, ivr_prefix)

    @app.after_request
    def _headers(resp: Response) -> Response:
        # Every page a browser may open, the staff's and kitchen's and the others (the index,
        # a 404, the counts' JSON), is kept out of frames, sniffing and referrers; the staff and
        # kitchen blueprints add their own Content-Security-Policy first. The webhooks' TwiML is
        # read by Twilio alone: nothing added there.
        if request.path.startswith(ivr_prefix):
            return resp
        headers = resp.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if resp.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", PAGE_CSP)
        if https:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return resp

    @app.get("/")
    def index() -> str:
        return render_template_string(
            INDEX, town=runtime.settings.town, number=runtime.settings.phone.number, links=links
        )

    @app.get("/favicon.ico")
    def favicon() -> Response:
        # Browsers ask for it on every page (those that read no <link rel="icon">, a JSON
        # opened in a tab): the town's icon, not a 404 in the server's log each time.
        return send_from_directory(str(app.static_folder), "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=86400)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "town": runtime.settings.town}

    return app
