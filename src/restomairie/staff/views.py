"""The staff pages (``/staff``): entry points only — each view parses the request, calls a
service and renders a template. Access: see :mod:`restomairie.staff.security`."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from babel.lists import format_list
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from restomairie.booking.errors import BookingError, InvalidRequest, UnknownChild
from restomairie.booking.importer import normalise_phone
from restomairie.booking.services import (
    Actor,
    ChangeResult,
    PatternChange,
    kept_said,
    outcome_text,
    served_text,
)
from restomairie.calendar.schoolholidays import CalendarCoverageError
from restomairie.config import UnknownSchool
from restomairie.csrf import SAFE_METHODS, CsrfRefused
from restomairie.errors import own_message, page_for, too_large
from restomairie.i18n import LANGUAGES, format_day
from restomairie.kitchen.export import signed
from restomairie.models import Family, FamilyPhone
from restomairie.runtime import Runtime
from restomairie.staff import phone as line_phone
from restomairie.staff.accounts import (
    ADDRESS_LIMIT,
    MAX_FAILURES,
    NAME_ALERT,
    ROLE_LABELS,
    ROLES,
    WINDOW,
    AccountError,
    LoginThrottled,
    UserView,
)
from restomairie.staff.imports import ImportDesk
from restomairie.staff.labels import (
    CHANNELS,
    call_outcome_label,
    channel_label,
    diet_label,
    event_label,
    language_label,
    step_label,
    who_label,
)
from restomairie.staff.security import (
    ADMIN,
    ALL_ROLES,
    PUBLIC,
    STAFF,
    accounts,
    actor_label,
    csrf_token,
    current_user,
    enforce,
    log_in,
    log_out,
    roles,
    session_ended,
    staff_actor,
)
from restomairie.staff.services import (
    CLOSURE_KINDS,
    PAGE,
    STATE_LABELS,
    ChildView,
    PastClosure,
    StaffService,
    mask_phone,
)
from restomairie.web import client_address

log = logging.getLogger(__name__)
bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(enforce)

# The staff pages hold personal data (names, calls, a family's export): never kept by a browser
# or proxy cache, never framed, no script but the pages' own files (no inline script: a name
# typed into a page can never run), no referrer (search URLs carry phone numbers).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@bp.after_request
def _headers(resp: BaseResponse) -> BaseResponse:
    # (nosniff, no frames, no referrer: the application's, web.create_app, on every page)
    resp.headers["Cache-Control"] = "no-store"
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
    return resp

ACTION_LABELS = {
    "book": "réservation",
    "cancel": "annulation",
    "subscribe": "abonnement",
    "unsubscribe": "fin d'abonnement",
    "diet_changed": "régime modifié",
    "school_changed": "école modifiée",
    "closure": "fermeture (repas non facturé)",
    "closure_declared": "fermeture déclarée",
    "closure_lifted": "fermeture annulée",
    "phone_lockout": "accès téléphone bloqué",
    "phone_unlock": "accès téléphone débloqué",
    "login": "connexion",
    "login_failed": "connexion refusée",
    "logout": "déconnexion",
    "export_family": "export des données",
    "training_call": "appel d'essai (navigateur)",
    "import": "import",
    "import_failed": "import échoué",
    "pin_changed": "code secret modifié",
    "phones_changed": "téléphones modifiés",
    "guardian_changed": "responsable modifié",
    "language_changed": "langue modifiée",
    "child_renamed": "nom de l'enfant modifié",
    "birth_date_changed": "date de naissance modifiée",
    "user_created": "compte créé",
    "user_role": "rôle modifié",
    "user_deleted": "compte supprimé",
    "password_set": "mot de passe changé",
    "login_unlock": "connexion débloquée",
    "kitchen_token_unlock": "jeton de la cuisine débloqué",
    "purge_call_logs": "purge du journal des appels",
}
STATE_TEXT = {"booked": "réservé", "not_booked": "non réservé", "closed": "fermé"}
WEEKDAY_NAMES = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
MAX_RANGE_DAYS = 120
# The latest lines a family (or child) page shows; the page says of how many, and links the rest.
FAMILY_CALLS = 20
FAMILY_HISTORY = 100
CHILD_HISTORY = 200
# The calls named in each list of a phone lockout (the wrong codes, the calls refused), the
# rest counted: a number typing codes over and over must not make a page of megabytes.
LOCKOUT_SHOWN = 50
# Dates typed in a form or a URL: far enough for any search, near enough that a day's bounds in
# town time (and the month grid around it) stay inside what Python and the databases can hold
# (0001-01-01 and 9999-12-31 overflow as soon as a day is added or the zone is applied).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
# A page number past this is the last page anyway (50 a page); larger ones overflow SQLite.
MAX_PAGE = 100_000


class StaffParts:
    """The staff capability's services, built once per application."""

    def __init__(self, runtime: Runtime) -> None:
        from restomairie.staff.accounts import AccountService

        self.runtime = runtime
        self.accounts = AccountService(
            runtime.sessions, runtime.clock,
            idle_timeout=timedelta(minutes=runtime.settings.staff_idle_minutes),
        )
        self.service = StaffService(runtime.booking)
        self.imports = ImportDesk(runtime.booking)


def parts() -> StaffParts:
    found: StaffParts = current_app.extensions["restomairie.staff"]
    return found


def service() -> StaffService:
    return parts().service


def runtime() -> Runtime:
    return parts().runtime


# ------------------------------------------------------------------ template helpers
@bp.app_context_processor
def _inject() -> dict[str, Any]:
    return {"staff_user": current_user, "csrf_token": csrf_token, "role_labels": ROLE_LABELS,
            "kitchen_open": kitchen_open}


@bp.app_template_filter("staff_dt")
def _fmt_dt(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = value.astimezone(runtime().settings.tz)
    return local.strftime("%d/%m/%Y %H:%M:%S")


@bp.app_template_filter("staff_time")
def _fmt_time(value: datetime | None, seconds: bool = False) -> str:
    """The time of day, town time ("09:31"; with ``seconds`` "13:00:01": a request answered
    one second after a 13:00 deadline must not read "13:00")."""
    if value is None:
        return "—"
    return value.astimezone(runtime().settings.tz).strftime("%H:%M:%S" if seconds else "%H:%M")


@bp.app_template_filter("staff_dm")
def _fmt_dm(value: datetime | None) -> str:
    """The day and month, town time ("23/11")."""
    if value is None:
        return "—"
    return value.astimezone(runtime().settings.tz).strftime("%d/%m")


@bp.app_template_filter("staff_day")
def _fmt_day(value: date | None) -> str:
    if value is None:
        return "—"
    return f"{format_day(value)} {value.year}"


@bp.app_template_filter("staff_deadline")
def _fmt_deadline(value: datetime | None) -> str:
    """A deadline, town time: "lundi 23/11 à 13:00"; at midnight, the end of the day before:
    Tuesday 00:00 is "lundi 23/11 à minuit" (not "mardi 24/11 à 00:00", a day late)."""
    if value is None:
        return "—"
    local = value.astimezone(runtime().settings.tz)
    if (local.hour, local.minute) == (0, 0):
        eve = local.date() - timedelta(days=1)
        return f"{format_date(eve, 'EEEE dd/MM', locale='fr_FR')} à minuit"
    return f"{format_date(local.date(), 'EEEE dd/MM', locale='fr_FR')} à {local:%H:%M}"


@bp.app_template_filter("staff_short")
def _fmt_short(value: date | None) -> str:
    return "—" if value is None else value.strftime("%d/%m/%Y")


@bp.app_template_filter("staff_duration")
def _fmt_duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


@bp.app_template_filter("staff_action")
def _fmt_action(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@bp.app_template_filter("staff_event")
def _fmt_event(outcome: str | None, step: str | None = None) -> str:
    return event_label(outcome, step)


@bp.app_template_filter("staff_step")
def _fmt_step(step: str) -> str:
    return step_label(step)


@bp.app_template_filter("staff_diet")
def _fmt_diet(diet: str) -> str:
    return diet_label(diet)


@bp.app_template_filter("staff_language")
def _fmt_language(language: str) -> str:
    return language_label(language)


@bp.app_template_filter("staff_channel")
def _fmt_channel(channel: str) -> str:
    return channel_label(channel)


@bp.app_template_filter("staff_outcome")
def _fmt_outcome(outcome: str | None) -> str:
    return call_outcome_label(outcome)


@bp.app_template_filter("staff_state")
def _fmt_state(state: str | None, action: str | None = None) -> str:
    """A state before or after a change, in words: a school by its name and a menu by its
    label for the import's moves ("École élémentaire Anjou", not "anjou-elem"), a birth date
    as a date is written in the file ("27/05/2015")."""
    if state is None:
        return "—"
    if action == "school_changed":
        try:
            return runtime().settings.school(state).name
        except KeyError:  # a school no longer configured: its id is all there is
            return state
    if action == "diet_changed":
        return diet_label(state)
    if action in ("user_created", "user_role", "user_deleted"):
        return ROLE_LABELS.get(state, state)  # "cuisine", not "kitchen"
    if action == "birth_date_changed":  # stored as ISO, read as staff write it: 27/05/2015
        try:
            return f"{date.fromisoformat(state):%d/%m/%Y}"
        except ValueError:
            return state
    return STATE_TEXT.get(state, state)


@bp.app_template_filter("staff_signed")
def _fmt_signed(delta: int) -> str:
    """An adjustment of a kitchen note, "+1", "−1", as the kitchen's pages write it."""
    return signed(delta)


@bp.app_template_filter("staff_actor")
def _fmt_actor(actor: str, action: str | None = None) -> str:
    """Who made a change, in words: "famille 210500", "agent marie" ("family:210500" is what
    the journal stores, and what its filter takes); with the entry's ``action``, a lockout
    reads as the line's own ("blocage automatique (codes erronés)")."""
    return who_label(actor, action)


# ------------------------------------------------------------------ errors
@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[Any, int]:
    code = exc.code or 500
    if code == 401:
        return _unauthorised()
    # The view's own message when it gave one (« Appel inconnu. », escaped by the page and by
    # JSON), else the usual sentence (the staff's own, else the application's for its code, or
    # its class's): never Werkzeug's English name (« Too Many Requests »).
    usual = {
        400: "Requête invalide.",
        403: "Votre compte n'a pas accès à cette page ou à cette action.",
        404: "Page introuvable.",
        413: too_large("Fichier trop volumineux : rien n'a été enregistré."),
    }
    said = own_message(exc) or usual.get(code) or page_for(code)[1]
    back = _form_page() if isinstance(exc, CsrfRefused) else None
    return _error_response(code, said, back_url=back)


def _unauthorised() -> tuple[Any, int]:
    """A request without a login (401: a form sent, or a script's request): whether the
    session has ended or there was none, and, for a form, that nothing was changed (a clerk
    back from lunch took "Connectez-vous pour continuer" for a change made); with the login,
    back to the page the request came from."""
    ended = session_ended()
    if request.method in SAFE_METHODS:
        message = ("Votre session a pris fin : reconnectez-vous pour continuer." if ended
                   else "Connectez-vous pour continuer.")
    elif ended:
        message = ("Votre session a pris fin (déconnexion, ou trop longtemps sans activité) : "
                   "votre demande n'a pas été faite, rien n'a été modifié. Reconnectez-vous, "
                   "puis refaites-la.")
    else:
        message = ("Vous n'êtes pas connecté(e) : votre demande n'a pas été faite, rien n'a été "
                   "modifié. Connectez-vous, puis refaites-la.")
    login_url = url_for("staff.login", next=_return_page())
    return _error_response(401, message, login_url=login_url)


def _return_page() -> str:
    """The page a request refused for want of a login came from, to come back to after it: the
    form's ``back`` page, the page at the request's own address (a form posted to its page),
    else the home page."""
    for target in (request.form.get("back", ""), request.full_path.rstrip("?")):
        if target.startswith("/staff/") and not target.startswith("//") and _is_page(target):
            return target
    return url_for("staff.home")


def _form_page() -> str:
    """The page a refused form was sent from, to go back to and send it again: its ``back``
    field, the page it came from (the ``Referer`` of this site), the page at its own address
    (the login's), else the home page."""
    referrer = urlsplit(request.referrer or "")
    came_from = (referrer.path + (f"?{referrer.query}" if referrer.query else "")
                 if referrer.netloc == request.host else "")
    for target in (request.form.get("back", ""), came_from, request.full_path.rstrip("?")):
        if target.startswith("/staff/") and not target.startswith("//") and (
                _is_page(target) or urlsplit(target).path == url_for("staff.login")):
            return target
    return url_for("staff.home")


def _is_page(path: str) -> bool:
    """Does ``path`` name a staff page one can open (a GET, not the login)?"""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method="GET")
    except HTTPException:
        return False
    return endpoint.startswith("staff.") and endpoint != "staff.login"


def _error_response(code: int, message: str, login_url: str | None = None,
                    back_url: str | None = None) -> tuple[Any, int]:
    """An error said as the page asking expects it: JSON for the in-browser phone's and the
    pages' scripts' requests (with ``error``, and ``login`` when a login is what is missing),
    the staff error page otherwise (its link: the login, else ``back_url``, else home)."""
    if (request.path.startswith("/staff/phone/") or request.is_json
            or request.accept_mimetypes.best == "application/json"):
        body = {"error": message} | ({"login": login_url} if login_url else {})
        return jsonify(body), code
    return render_template("staff/error.html", code=code, message=message,
                           login_url=login_url, back_url=back_url), code


@bp.errorhandler(UnknownSchool)
def _unknown_school(exc: UnknownSchool) -> tuple[Any, int]:
    # A child of the database in a school the town's file no longer lists: said, for the
    # town's IT, rather than a bare 500 (``serve`` warns of it at start-up).
    log.error("staff page %s: %s", request.path, exc)
    return _error_response(500, f"Erreur de configuration : {exc}.")


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            found = datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
        if not FIRST_DAY <= found <= LAST_DAY:
            raise InvalidRequest(
                f"Date hors limites ({field}) : {value} (entre {FIRST_DAY:%d/%m/%Y} et "
                f"{LAST_DAY:%d/%m/%Y}).")
        return found
    raise InvalidRequest(f"Date invalide ({field}) : {value}.")


def _page() -> int:
    try:
        return min(max(1, int(request.args.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


# ------------------------------------------------------------------ login
def kitchen_open() -> bool:
    """May the logged-in user open the kitchen pages (installed on this server, and a role they
    let in)? The staff pages' "Cuisine" link follows this."""
    user = current_user()
    if user is None or "kitchen.index" not in current_app.view_functions:
        return False
    from restomairie.kitchen.views import STAFF_ROLES  # the kitchen capability is installed

    return user.role in STAFF_ROLES


def _landing(user: UserView) -> str:
    """Where a login lands when no page was asked: the kitchen's counts for a kitchen account
    (the only pages it works in), the home page for the others."""
    if user.role == "kitchen" and kitchen_open():
        return url_for("kitchen.index")
    return url_for("staff.home")


def _role_opens(path: str, role: str) -> bool:
    """Does ``path`` name a page (GET) that ``role`` may open? The staff pages say so with
    :func:`roles`; the kitchen pages are open to :func:`kitchen_open`'s roles."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method="GET")
    except HTTPException:  # no such page, not a GET, or a redirect ("/staff" → "/staff/")
        return False
    if endpoint == "staff.login":  # logged in now: not a page to land on
        return False
    if endpoint.startswith("kitchen."):
        return kitchen_open()
    allowed: frozenset[str] = getattr(current_app.view_functions.get(endpoint),
                                      "allowed_roles", frozenset())
    return "*" in allowed or role in allowed


def _safe_next(target: str | None, user: UserView) -> str:
    """The page asked before the login, when it is one of ours that the user may open (never
    off site); else the user's landing page. The home page asked is the landing page too (it is
    where any page without a login sends back to)."""
    if (target and target.startswith(("/staff/", "/kitchen/")) and not target.startswith("//")
            and target != url_for("staff.home") and _role_opens(target, user.role)):
        return target
    return _landing(user)


@bp.route("/login", methods=["GET", "POST"])
@roles(PUBLIC)
def login() -> Any:
    """Log in with a user name and password."""
    error = None
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST":
        try:
            user = accounts().authenticate(
                request.form.get("username", ""), request.form.get("password", ""),
                client_address(),
            )
        except LoginThrottled as exc:
            error, status = str(exc), 429
            # As the kitchen token's refusal: when to try again, for scripts and proxies too.
            headers["Retry-After"] = str(exc.retry_after(runtime().clock.now()))
        except AccountError as exc:
            error, status = str(exc), 401
        else:
            log_in(user)
            return redirect(_safe_next(request.form.get("next"), user))
    # After a refusal the user name stays typed in (never the password): only a typo to fix.
    username = request.form.get("username", "")[:200] if request.method == "POST" else ""
    return render_template(
        "staff/login.html", error=error, next=request.values.get("next", ""), username=username
    ), status, headers


@bp.post("/logout")
@roles(ALL_ROLES)
def logout() -> BaseResponse:
    accounts().record(actor_label(), "logout")
    log_out()
    flash("Vous êtes déconnecté(e).")
    return redirect(url_for("staff.login"))


@bp.route("/password", methods=["GET", "POST"])
@roles(ALL_ROLES)
def password() -> Any:
    """Change one's own password (the other sessions are closed)."""
    user = current_user()
    assert user is not None
    if request.method == "POST":
        new = request.form.get("new", "")
        try:
            accounts().authenticate(user.username, request.form.get("current", ""),
                                    client_address())
            if new != request.form.get("confirm", ""):
                raise AccountError("Les deux mots de passe ne sont pas identiques.")
            accounts().set_password(user.username, new, by=actor_label())
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            refreshed = accounts().get(user.id)
            assert refreshed is not None
            log_in(refreshed)
            flash("Mot de passe changé.")
            return redirect(url_for("staff.home"))
    return render_template("staff/password.html")


# ------------------------------------------------------------------ home
@bp.get("/")
@roles(ALL_ROLES)
def home() -> str:
    user = current_user()
    assert user is not None
    kitchen: list[tuple[str, str]] = []
    if user.role == "kitchen" and kitchen_open():
        from restomairie.kitchen.views import staff_links  # the kitchen capability is installed

        kitchen = staff_links()
    overview = service().overview() if user.role in STAFF else None
    return render_template("staff/home.html", overview=overview, kitchen_links=kitchen,
                           today=runtime().clock.today().isoformat())


# ------------------------------------------------------------------ calls
@bp.get("/calls")
@roles(STAFF)
def calls() -> tuple[str, int]:
    """The call log, searchable by the day of the call, whole phone number, family, outcome
    and the meal day a call was about."""
    args = request.args
    error = None
    rows: list[Any] = []
    total = 0
    try:
        rows, total = service().search_calls(
            day=_day(args.get("day"), "jour de l'appel"), phone=args.get("phone") or None,
            account=args.get("account") or None, outcome=args.get("outcome") or None,
            page=_page(), meal_day=_day(args.get("meal"), "repas du"),
        )
    except BookingError as exc:
        error = str(exc)
    # A number of a family's: its calls from a withheld number or another phone are the
    # family's too, and not in this search.
    owners = service().number_accounts(args["phone"]) if args.get("phone") and not error else []
    return render_template("staff/calls.html", rows=rows, total=total, page=_page(), error=error,
                           outcomes=service().outcomes(), args=args,
                           owners=owners), 400 if error else 200


@bp.get("/calls/<call_sid>")
@roles(STAFF)
def call(call_sid: str) -> str:
    """A call's timeline; for a call the retention purge deleted, what the journal keeps of it
    (its changes) and why its steps are gone, rather than a bare "page introuvable"."""
    detail = service().call_detail(call_sid)
    if detail is None:
        gone = service().gone_call(call_sid)
        if gone is None:
            abort(404)
        return render_template("staff/call_gone.html", gone=gone)
    return render_template("staff/call.html", call=detail, outcomes=service().outcomes())


# ------------------------------------------------------------------ families
@bp.get("/families")
@roles(STAFF)
def families() -> str:
    """The family search, 50 a page like the call log, saying how many match in all."""
    q = request.args.get("q", "")
    rows, total = service().search_families_page(q, page=_page()) if q.strip() else ([], 0)
    return render_template("staff/families.html", q=q, rows=rows, total=total, page=_page(),
                           args={"q": q}, per_page=PAGE)


@bp.get("/families/<account>")
@roles(STAFF)
def family(account: str) -> str:
    fam = service().family(account)
    if fam is None:
        abort(404)
    calls_total, history_total = service().family_totals(account)
    return render_template(
        "staff/family.html", family=fam,
        history=service().family_history(account, limit=FAMILY_HISTORY),
        calls=service().family_calls(account, limit=FAMILY_CALLS), today=runtime().clock.today(),
        weekdays=_weekday_choices(fam.children), lockout=service().phone_lockout(account),
        calls_total=calls_total, history_total=history_total, lockout_shown=LOCKOUT_SHOWN,
        **_change_form_state(account),
    )


def _change_form_state(account: str) -> dict[str, Any]:
    """What the change form shows after a refusal or a mistake, read once and for this family
    only: the request as typed (``pending``: to complete with "forcer le délai", or to correct,
    with the field at fault and why), and the days asked that could still be done without the
    refused ones (``offer``)."""
    state = {}
    for key, name in (("staff_pending_change", "pending"), ("staff_change_offer", "offer")):
        kept = session.pop(key, None)
        state[name] = kept if kept and kept.get("account") == account else None
    return state


@bp.post("/families/<account>/unlock")
@roles(STAFF)
def unlock_phone(account: str) -> BaseResponse:
    """Lift the family's phone lockout (wrong codes) before its end, with a reason; audited."""
    try:
        until = service().unlock_phone(account, staff_actor(), request.form.get("reason", ""))
    except BookingError as exc:
        flash(str(exc), "error")
    else:
        local = until.astimezone(runtime().settings.tz)
        flash(f"Accès par téléphone débloqué (il était bloqué jusqu'au {local:%d/%m/%Y %H:%M}).")
    return redirect(url_for("staff.family", account=account))


@bp.post("/families/<account>/export")
@roles(STAFF)
def export_family(account: str) -> Response:
    """The family's data as a JSON file (right of access); audited."""
    data = service().export_family(account)
    if data is None:
        abort(404)
    accounts().record(actor_label(), "export_family", family_id=service().family_id(account),
                      detail={"account": account})
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body, mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="famille-{account}.json"'},
    )


@bp.get("/families/<account>/children/<ref>")
@roles(STAFF)
def child(account: str, ref: str) -> str:
    """A child's month: each day's state, and every change with who, when, how."""
    today = runtime().clock.today()
    raw = request.args.get("month", "")
    try:
        month = datetime.strptime(raw, "%Y-%m").date() if raw else today.replace(day=1)
    except ValueError:  # "2026-13": said, not silently replaced by this month
        abort(400, description=f"Mois invalide : {raw} (attendu AAAA-MM, par exemple "
                               f"{today:%Y-%m}).")
    if not FIRST_DAY <= month <= LAST_DAY:
        abort(400, description=f"Mois hors limites : {raw} (entre {FIRST_DAY:%m/%Y} et "
                               f"{LAST_DAY:%m/%Y}).")
    try:
        view = service().child_month(account, ref, month)
    except BookingError:
        abort(404)
    if view is None:
        abort(404)
    fam = service().family(account)
    assert fam is not None
    prev_month = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    history_total = service().family_totals(account, ref)[1]
    attempts = service().child_attempts(account, ref)
    # Each day of the calendar shows its own (the list under the history shows them all),
    # after the change that made the day's state: only those made since, so that a request
    # refused before a correction does not read as what the day holds.
    changed = {c.day: c.change.at for week in view.weeks for c in week if c.change}
    by_day: dict[date, list[Any]] = {}
    for a in attempts:
        if a.day is not None and (a.day not in changed or a.at > changed[a.day]):
            by_day.setdefault(a.day, []).insert(0, a)  # in the order they were made
    return render_template(
        # The list is capped like the history (a family whose account is typed over and over
        # made a 1.3 MB page); the calendar still shows each of the month's days' own.
        "staff/child.html", family=fam, view=view, attempts=attempts[:CHILD_HISTORY],
        attempts_total=len(attempts), attempts_by_day=by_day,
        history=service().family_history(account, ref, limit=CHILD_HISTORY),
        history_total=history_total,
        month_label=format_date(month, "MMMM y", locale="fr_FR"), prev_month=prev_month,
        next_month=next_month, today=today, state_labels=STATE_LABELS,
        weekdays=_weekday_choices([view.child]), **_change_form_state(account),
    )


def _weekday_choices(children: Sequence[ChildView]) -> list[tuple[str, str]]:
    """The days a weekly subscription form offers: those the children's schools serve (no
    "mer" where the canteens close on Wednesdays). A day only some of the children's schools
    serve names those children ("mer (Hugo)"): the booking service refuses it for the others."""
    settings = runtime().settings
    served: list[tuple[str, frozenset[int]]] = []
    for c in children:
        try:
            school = settings.school(c.school_id)
        except KeyError:  # a school since removed from the configuration: the town's days
            school = None
        served.append((c.first_name, settings.weekdays_of(school)))
    choices = []
    for wd, name in enumerate(WEEKDAY_NAMES):
        who = [first for first, days in served if wd in days]
        if who:
            label = name if len(who) == len(served) else f"{name} ({', '.join(who)})"
            choices.append((str(wd), label))
    return choices


def _days_for(first: date, last: date | None) -> list[date]:
    """One day, or every day of a range (the services pass over those without canteen)."""
    if last is None or last == first:
        return [first]
    if last < first:
        raise InvalidRequest("La fin de la période est avant son début.")
    if (last - first).days > MAX_RANGE_DAYS:
        raise InvalidRequest(f"Au plus {MAX_RANGE_DAYS} jours à la fois.")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _describe(results: list[ChangeResult], today: date) -> str:
    parts_ = []
    tz = runtime().settings.tz
    for r in results:
        extra = " — délai forcé" if r.forced else ""
        if r.adjusted:
            extra += " — ajustement cuisine (jour déjà verrouillé)"
        elif r.served and r.changed:
            extra += f" — {served_text(r.day, today)}"
        said = outcome_text(r, tz)
        parts_.append(f"{r.first_name}, {format_day(r.day)} : {said}{extra}")
    return " ; ".join(parts_)


# The change form's actions, chosen each time: none is preselected (a clerk who only picked a
# date booked every child).
CHANGE_ACTIONS = {"book": "réserver", "cancel": "annuler"}


class FieldError(InvalidRequest):
    """A mistake in one field of a form (``field``: its name): said next to that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _in_field(field: str, read: Any) -> Any:
    """``read()``, its InvalidRequest said as a mistake in ``field``."""
    try:
        return read()
    except FieldError:
        raise
    except InvalidRequest as exc:
        raise FieldError(field, str(exc)) from exc


@bp.post("/families/<account>/change")
@roles(STAFF)
def change(account: str) -> BaseResponse:
    """Book or cancel for a family; after the deadline only with an override and a reason."""
    form = request.form
    back = form.get("back") or url_for("staff.family", account=account)
    if not back.startswith("/staff/"):
        back = url_for("staff.family", account=account)
    action = form.get("action", "")
    # No default: a missing child is refused, never read as "tous les enfants".
    child_ref = form.get("child", "")
    refs = None if child_ref == "*" else [child_ref]
    override = form.get("override") == "1"
    reason = " ".join(form.get("reason", "").split())
    days: list[date] = []
    try:
        if not child_ref:
            raise FieldError("child", "Choisissez l'enfant (ou « tous les enfants »).")
        if action not in CHANGE_ACTIONS:
            raise FieldError("action", "Choisissez l'action : réserver ou annuler.")
        first = _in_field("day", lambda: _day(form.get("day"), "date"))
        if first is None:
            raise FieldError("day", "Choisissez une date.")
        last = _in_field("until", lambda: _day(form.get("until"), "fin"))
        days = _in_field("until", lambda: _days_for(first, last))
        if override and not reason:
            raise FieldError("reason", "Un forçage demande un motif : donnez-le ici (il est "
                                       "gardé au journal).")
        results = runtime().booking.change(
            account, action, days, staff_actor(), refs, reason if override else None,
            skip_closed=len(days) > 1, note=None if override else reason,
        )
    except (BookingError, CalendarCoverageError) as exc:
        # The request comes back in the form as typed, whatever the mistake or the refusal:
        # a past deadline or a lock could only be refused with "forcer le délai" not ticked,
        # and it stays so (forcing is a choice the clerk makes, as the hint says).
        pending = {
            "account": account, "action": action, "child": child_ref,
            "day": form.get("day", ""), "until": form.get("until", ""),
            "override": override, "reason": form.get("reason", ""),
        }
        if isinstance(exc, UnknownChild):
            exc = FieldError("child", str(exc))
        if isinstance(exc, FieldError):
            # Said next to its field (which the page focuses), not at the top of the page.
            session["staff_pending_change"] = pending | {"field": exc.field, "error": str(exc)}
            return redirect(back)
        session["staff_pending_change"] = pending
        refused = _refused(account, action, days, refs, exc)
        flash(refused.text, "error")
        if getattr(exc, "code", "") in ("past_deadline", "locked"):
            flash("Pour passer outre, cochez « forcer le délai » et donnez un motif : "
                  "le changement sera audité (et ajusté pour la cuisine si le jour est "
                  "verrouillé et ses repas pas encore servis).",
                  "hint")
        if refused.offer is not None:
            session["staff_change_offer"] = {
                "account": account, "action": action, "child": child_ref,
                "day": refused.offer[0].isoformat(), "until": refused.offer[-1].isoformat(),
                "days": format_list([format_day(d) for d in refused.offer], locale="fr_FR"),
            }
        return redirect(back)
    skipped = {d for d in days if d.weekday() < 5} - {r.day for r in results}
    ignored = f" (jours sans cantine ignorés : {len(skipped)})" if skipped else ""
    # The reason is kept in the audit entry of each change, forced or not: said either way.
    noted = f" — motif noté : {reason}" if reason and any(r.changed for r in results) else ""
    flash(_describe(results, runtime().clock.today()) + ignored + noted)
    return redirect(back)


@dataclass(frozen=True)
class _Refused:
    text: str
    offer: list[date] | None = None  # the days asked that could be done without the refused


def _refused(account: str, action: str, days: list[date], refs: list[str] | None,
             exc: Exception) -> _Refused:
    """A refused change said to staff. A request is done whole or not at all: when the refusal
    is about a day, say that nothing was changed, each day refused (naming the children when
    several were asked), and which of the others could still be done, offered as a request of
    their own when they follow each other."""
    if getattr(exc, "day", None) is None or not days:
        return _Refused(str(exc))  # a form to fix ("Choisissez une date.")
    try:
        by_day = runtime().booking.refusals(account, action, days, staff_actor(), refs,
                                            skip_closed=len(days) > 1)
    except BookingError:
        by_day = {}
    refused = {day: errors for day, errors in by_day.items() if errors}
    if not refused:  # changed since: its own reason only
        return _Refused(f"Aucun changement n'a été fait. {exc}")
    fam = service().family(account)
    several = refs is None and fam is not None and len(fam.children) > 1
    lines = ["Aucun changement n'a été fait (une demande est faite en entier ou pas du tout)."]
    for errors in refused.values():
        said: dict[str, list[str]] = {}
        for e in errors:
            said.setdefault(str(e), []).append(e.child or "")
        for text, names in said.items():
            who = format_list([n for n in names if n], locale="fr_FR")
            lines.append(f"Pour {who}, {text[0].lower()}{text[1:]}" if several and who
                         else text)
    doable = [day for day, errors in by_day.items() if not errors]
    if not doable:
        return _Refused(" ".join(lines))
    lines.append(f"Les autres jours demandés restent possibles : "
                 f"{format_list([format_day(d) for d in doable], locale='fr_FR')}.")
    # Offered as one request (a range, whose days without canteen are passed over) only when
    # no refused day lies between them.
    gapless = not any(doable[0] < day < doable[-1] for day in refused)
    return _Refused(" ".join(lines), doable if gapless else None)


@bp.post("/families/<account>/subscription")
@roles(STAFF)
def subscription(account: str) -> BaseResponse:
    """Set or end a child's weekly subscription from a date."""
    form = request.form
    back = form.get("back") or url_for("staff.family", account=account)
    if not back.startswith("/staff/"):
        back = url_for("staff.family", account=account)
    override = form.get("override") == "1"
    reason = " ".join(form.get("reason", "").split())
    try:
        if override and not reason:
            raise InvalidRequest("Un forçage demande un motif.")
        start = _day(form.get("start"), "début")
        if start is None:
            raise InvalidRequest("Choisissez la date d'effet.")
        ref = form.get("child", "")
        if form.get("mode") == "end":
            done = runtime().booking.end_subscription(account, ref, start, staff_actor(),
                                                      reason if override else None,
                                                      note=None if override else reason)
            flash(_describe_pattern("Abonnement arrêté", start, done))
        else:
            # ASCII digits only: "²" is a digit to str.isdigit, not to int().
            weekdays = [int(w) for w in form.getlist("weekdays")
                        if w.isascii() and w.isdigit()]
            done = runtime().booking.set_subscription(account, ref, weekdays, start,
                                                      staff_actor(),
                                                      reason if override else None,
                                                      note=None if override else reason)
            flash(_describe_pattern("Abonnement enregistré", start, done))
    except (BookingError, CalendarCoverageError) as exc:
        flash(str(exc), "error")
    return redirect(back)


def _describe_pattern(what: str, start: date, done: PatternChange) -> str:
    """A subscription change said to staff: from when, forced or adjusted as a single change
    says it (see _describe), and the single days booked or cancelled by hand that keep their
    state although the new pattern would not give it, for the agent to decide about them."""
    extra = " — délai forcé" if done.forced else ""
    if done.adjusted:
        extra += " — ajustement cuisine (jour déjà verrouillé)"
    lines = [f"{what} à partir du {format_day(start)}{extra}."]
    lines += [f"{said} ({done.first_name})." for said in kept_said(done.kept)]
    return " ".join(lines)


# ------------------------------------------------------------------ closures
@bp.route("/closures", methods=["GET", "POST"])
@roles(STAFF)
def closures() -> Any:
    """Declare a closure (one school or all, a day or a range; strike, trip, other)."""
    if request.method == "POST":
        form = request.form
        try:
            first = _day(form.get("first_day"), "début")
            if first is None:
                raise InvalidRequest("Choisissez le premier jour.")
            last = _day(form.get("last_day"), "fin") or first
            school = form.get("school") or None
            report = service().declare_closure(
                school, first, last, form.get("kind", ""), form.get("note", ""), staff_actor(),
                confirm_past=form.get("confirm_past") == "1",
            )
        except (BookingError, CalendarCoverageError) as exc:
            flash(str(exc), "error")
            if isinstance(exc, PastClosure):
                # The form again with what was typed, and the box to tick.
                session["staff_pending_closure"] = {
                    key: form.get(key, "") for key in (
                        "school", "first_day", "last_day", "kind", "note")
                } | {"days": exc.days, "meals": exc.meals}
        else:
            flash(
                f"Fermeture enregistrée ({report.label}) : {report.days} jour(s) de cantine "
                f"fermé(s), "
                f"{report.meals} repas non facturé(s), {report.adjustments} ajustement(s) cuisine."
            )
        return redirect(url_for("staff.closures"))
    show_past = request.args.get("past") == "1"
    return render_template(
        "staff/closures.html", rows=service().closures(include_past=show_past),
        schools=runtime().settings.schools, kinds=CLOSURE_KINDS, show_past=show_past,
        today=runtime().clock.today(), pending=session.pop("staff_pending_closure", None),
    )


@bp.post("/closures/<int(max=2147483647):closure_id>/lift")  # larger ones overflow
@roles(STAFF)
def lift_closure(closure_id: int) -> BaseResponse:
    try:
        report = service().lift_closure(closure_id, staff_actor())
    except BookingError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Fermeture annulée ({report.label}) : {report.meals} repas de nouveau "
              f"facturable(s), {report.adjustments} ajustement(s) cuisine.")
    return redirect(url_for("staff.closures"))


# ------------------------------------------------------------------ audit
@bp.get("/audit")
@roles(STAFF)
def audit() -> tuple[str, int]:
    """The audit journal, searchable by the day of the change, the meal day it is about (the
    "Repas du" column, as the call log's filter), who, action, channel, family and child."""
    args = request.args
    error = None
    rows: list[Any] = []
    total = 0
    try:
        rows, total = service().search_audit(
            start=_day(args.get("start"), "changé du"), end=_day(args.get("end"), "changé au"),
            actor=args.get("actor") or None, action=args.get("action") or None,
            account=args.get("account") or None, channel=args.get("channel") or None,
            page=_page(), meal_day=_day(args.get("meal"), "repas du"),
            child=args.get("child") or None,
        )
    except BookingError as exc:
        error = str(exc)
    return render_template("staff/audit.html", rows=rows, total=total, page=_page(), args=args,
                           actions=service().audit_actions(), error=error,
                           channels=CHANNELS), 400 if error else 200


# ------------------------------------------------------------------ import
@bp.get("/import")
@roles(ADMIN)
def import_form() -> str:
    return render_template("staff/import.html", preview=None, help=_import_help())


def _import_help() -> dict[str, Any]:
    """The values the import accepts, from the configuration (the page's "Valeurs acceptées")."""
    settings = runtime().settings
    names = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
    return {
        "schools": sorted(settings.schools, key=lambda s: s.id),
        "diets": [(v, diet_label(v)) for v in settings.menu_variants],
        "weekdays": names,
        "canteen_days": " ".join(names[d] for d in sorted(settings.canteen_weekdays)),
        "languages": [(code, language_label(code)) for code in LANGUAGES],
    }


@bp.post("/import")
@roles(ADMIN)
def import_check() -> Any:
    """Check the file and show the report by line; nothing is written."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choisissez un fichier CSV.", "error")
        return redirect(url_for("staff.import_form"))
    # The file is the whole list: the subscriptions of the children it leaves out end (the
    # command line's --end-missing); the preview shows which, and the choice waits with it.
    end_missing = request.form.get("end_missing") == "1"
    preview = parts().imports.check(upload.read(), upload.filename, actor_label(), end_missing)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ok": preview.ok, "errors": preview.errors, "token": preview.token,
                        "html": render_template("staff/_import_report.html", preview=preview)})
    return render_template("staff/import.html", preview=preview, help=_import_help())


@bp.post("/import/confirm")
@roles(ADMIN)
def import_confirm() -> BaseResponse:
    user = current_user()
    assert user is not None
    try:
        job = parts().imports.start(request.form.get("token", ""),
                                    Actor("staff", user.username, "import"))
    except KeyError:
        flash("Ce fichier n'est plus en attente : envoyez-le de nouveau.", "error")
        return redirect(url_for("staff.import_form"))
    return redirect(url_for("staff.import_job", job_id=job.id))


@bp.get("/import/jobs/<job_id>")
@roles(ADMIN)
def import_job(job_id: str) -> Any:
    job = parts().imports.job(job_id, actor_label())
    if job is None:
        abort(404)
    if request.args.get("format") == "json" or request.accept_mimetypes.best == "application/json":
        status = job.as_dict()
        if job.state == "done":  # what it did, as the page shows it once finished
            status["html"] = render_template("staff/_import_done.html", job=job)
        return jsonify(status)
    return render_template("staff/import_job.html", job=job, status=job.as_dict())


# ------------------------------------------------------------------ users
@bp.get("/users")
@roles(ADMIN)
def users() -> str:
    """The accounts, with their last login and the login locks in force (by name and address,
    names guessed from many addresses, addresses that tried many names), the addresses refused
    the kitchen token, and a way to lift them."""
    locks = accounts().login_locks()
    kitchen_locks: list[Any] = []
    kitchen_limit = 0
    if "kitchen.index" in current_app.view_functions:
        from restomairie.kitchen.views import TOKEN_LIMIT, token_limit  # the capability is there

        kitchen_locks, kitchen_limit = token_limit().locks(), TOKEN_LIMIT
    by_name: dict[str, list[Any]] = {}
    for lock in locks:
        if lock.username is not None:
            by_name.setdefault(lock.username, []).append(lock)
    users = accounts().list_users()
    known = {u.username for u in users}
    return render_template(
        "staff/users.html", users=users, roles=ROLES, locks=by_name,
        last_logins=accounts().last_logins(),
        address_locks=[lk for lk in locks if lk.username is None],
        # Names that are no account (guessed, mistyped) are listed apart: nothing to lift
        # for a real user, but the guessing is there to see.
        unknown_locks=[lk for lk in locks if lk.username is not None
                       and lk.username not in known],
        max_failures=MAX_FAILURES, name_alert=NAME_ALERT, address_limit=ADDRESS_LIMIT,
        window=int(WINDOW.total_seconds() // 60),
        kitchen_locks=kitchen_locks, kitchen_limit=kitchen_limit,
    )


@bp.post("/users/<username>/unlock")
@roles(ADMIN)
def user_unlock(username: str) -> BaseResponse:
    """Forget the recent wrong passwords typed for this name (from every address); audited
    with the reason given."""
    return _unlock({"username": username}, f"Connexion de {username} débloquée")


@bp.post("/users/unlock-address")
@roles(ADMIN)
def address_unlock() -> BaseResponse:
    """Forget the recent wrong passwords typed from one address (for every name); audited."""
    address = request.form.get("address", "").strip()
    return _unlock({"address": address}, f"Adresse {address} débloquée")


@bp.post("/users/unlock-kitchen-token")
@roles(ADMIN)
def kitchen_token_unlock() -> BaseResponse:
    """Forget the recent wrong kitchen tokens tried from one address: its token tries are
    checked again. Audited as ``kitchen_token_unlock`` with the reason given."""
    if "kitchen.index" not in current_app.view_functions:
        abort(404)
    from restomairie.kitchen.views import token_limit  # the capability is installed

    address = request.form.get("address", "").strip()
    try:
        count = token_limit().unlock(
            address, request.form.get("reason", ""), actor_label(), "kitchen_token_unlock",
            "jeton de la cuisine")
    except ValueError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Jeton de la cuisine : adresse {address} débloquée "
              f"({count} essai(s) manqué(s) oublié(s)).")
    return redirect(url_for("staff.users"))


def _unlock(which: dict[str, str], done: str) -> BaseResponse:
    """Lift a login lock (a name's, or an address's) with the form's reason, and say so."""
    try:
        count = accounts().unlock_login(
            **which, reason=request.form.get("reason", ""), by=actor_label()
        )
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{done} ({count} essai(s) manqué(s) oublié(s)).")
    return redirect(url_for("staff.users"))


@bp.post("/users")
@roles(ADMIN)
def create_user() -> BaseResponse:
    form = request.form
    try:
        accounts().create_user(form.get("username", ""), form.get("role", ""),
                               form.get("password", ""), by=actor_label())
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Compte {form.get('username', '').strip().lower()} créé.")
    return redirect(url_for("staff.users"))


@bp.post("/users/<username>/role")
@roles(ADMIN)
def user_role(username: str) -> BaseResponse:
    try:
        accounts().set_role(username, request.form.get("role", ""), by=actor_label())
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Rôle de {username} modifié.")
    return redirect(url_for("staff.users"))


@bp.post("/users/<username>/password")
@roles(ADMIN)
def user_password(username: str) -> BaseResponse:
    try:
        accounts().set_password(username, request.form.get("password", ""), by=actor_label())
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Mot de passe de {username} remplacé ; ses sessions ouvertes sont fermées.")
    return redirect(url_for("staff.users"))


@bp.post("/users/<username>/delete")
@roles(ADMIN)
def user_delete(username: str) -> BaseResponse:
    try:
        accounts().delete_user(username, by=actor_label())
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Compte {username} supprimé.")
    return redirect(url_for("staff.users"))


# ------------------------------------------------------------------ in-browser phone
def _bridge() -> line_phone.PhoneBridge:
    """Sign with what the phone line checks: its own webhook settings when it is installed
    (``app.extensions["restomairie.ivr"]``: auth token, public URL, development switch)."""
    settings = runtime().settings
    token = settings.secret("TWILIO_AUTH_TOKEN")
    public = settings.secret("RESTOMAIRIE_PUBLIC_URL")
    installed = current_app.extensions.get("restomairie.ivr")
    if installed is not None:
        security = installed[1]
        token, public = security.auth_token, security.public_url
        if not token and security.skip:
            token = "unsigned"  # the line checks nothing (development switch)
    return line_phone.PhoneBridge(current_app._get_current_object(),  # type: ignore[attr-defined]
                                  token, public or request.host_url)


def _line_number() -> str:
    raw = runtime().settings.phone.number
    try:
        return normalise_phone(raw) if raw else "+33800000000"
    except ValueError:
        return "+33800000000"


# Families offered on the phone page to call "as" (their number is used server-side).
PHONE_FAMILIES = 12


@bp.get("/phone")
@roles(STAFF)
def phone() -> str:
    """A keypad that calls the real phone line, shows and speaks what the caller hears.

    The page never holds a family's whole number: staff pick a family (the call comes from its
    first number, looked up by the server) or type a number; only masked numbers are shown."""
    bridge = _bridge()
    with runtime().sessions() as s:
        first_phones = (
            select(FamilyPhone.family_id, func.min(FamilyPhone.id).label("phone_id"))
            .group_by(FamilyPhone.family_id).subquery()
        )
        families = [
            (account, guardian, mask_phone(number))
            for account, guardian, number in s.execute(
                select(Family.account, Family.guardian, FamilyPhone.number)
                .join(first_phones, first_phones.c.family_id == Family.id)
                .join(FamilyPhone, FamilyPhone.id == first_phones.c.phone_id)
                .order_by(Family.account).limit(PHONE_FAMILIES)
            )
        ]
    problem = None
    if not bridge.available():
        problem = "La ligne téléphonique (/ivr/voice) n'est pas installée sur ce serveur."
    elif not bridge.auth_token:
        problem = ("TWILIO_AUTH_TOKEN n'est pas configuré : la ligne refuse toute requête non "
                   "signée. Relancez le serveur avec un jeton, par exemple "
                   "« TWILIO_AUTH_TOKEN=essai restomairie serve » (sans compte Twilio, n'importe "
                   "quel secret convient pour un essai).")
    return render_template("staff/phone.html", families=families, problem=problem,
                           line_number=_line_number())


def _family_number(account: str) -> str | None:
    """The number a call "as this family" comes from: its first phone (None: no such family, or
    no phone)."""
    with runtime().sessions() as s:
        return s.scalar(
            select(FamilyPhone.number).join(Family, Family.id == FamilyPhone.family_id)
            .where(Family.account == account).order_by(FamilyPhone.id).limit(1)
        )


def _phone_payload() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="JSON attendu.")
    return data


def _my_call(sid: Any) -> dict[str, Any]:
    calls_: dict[str, Any] = session.get("staff_phone_calls", {})
    if not isinstance(sid, str) or sid not in calls_:
        abort(404, description="Appel inconnu.")
    found: dict[str, Any] = calls_[sid]
    return found


def _caller_of(info: dict[str, Any]) -> str:
    """The number a training call comes from. A family's number is looked up again at each
    step, never kept in the session: Flask's session cookie is signed, not encrypted, so any
    staff user could read it there (the page only ever shows it masked)."""
    account = info.get("account")
    if account is None:
        return str(info["from"])
    number = _family_number(str(account))
    if number is None:
        abort(404, description=f"Dossier inconnu ou sans téléphone : {account}.")
    return number


@bp.post("/phone/call")
@roles(STAFF)
def phone_call() -> Any:
    """Place a call as the family ``account`` (from its number, looked up here: the page never
    has it), or from ``from`` (a typed number, or empty for a hidden number)."""
    data = _phone_payload()
    account = str(data.get("account") or "").strip()
    raw = str(data.get("from") or "").strip()
    if account:
        found = _family_number(account)
        if found is None:
            return jsonify({"error": f"Dossier inconnu ou sans téléphone : {account}."}), 400
        caller = found
    else:
        try:
            caller = normalise_phone(raw) if raw else "anonymous"
        except ValueError:
            return jsonify({"error": f"Numéro d'appelant invalide : {raw}."}), 400
    bridge = _bridge()
    sid = line_phone.new_call_sid()
    params = line_phone.call_params(sid, caller, _line_number(), status="ringing")
    try:
        answer = bridge.post(line_phone.VOICE_PATH, params)
    except line_phone.PhoneError as exc:
        return jsonify({"error": str(exc)}), 502
    calls_ = dict(session.get("staff_phone_calls", {}))
    if len(calls_) >= 5:
        calls_.pop(next(iter(calls_)))
    # A family's call keeps its account, a typed number the number the staff user typed.
    calls_[sid] = ({"account": account} if account else {"from": caller}) | {
        "started": datetime.now().timestamp()}
    session["staff_phone_calls"] = calls_
    # Masked: the audit log outlives the calls' retention.
    detail: dict[str, object] = {"from": mask_phone(caller)}
    if account:
        detail["account"] = account
    accounts().record(actor_label(), "training_call", call_sid=sid, detail=detail)
    return jsonify({"sid": sid, "url": answer.url, "script": answer.script,
                    "from": mask_phone(caller), "timeline": url_for("staff.call", call_sid=sid)})


@bp.post("/phone/send")
@roles(STAFF)
def phone_send() -> Any:
    """Answer a ``<Gather>`` (keys or a phrase) or follow a ``<Redirect>``."""
    data = _phone_payload()
    sid = data.get("sid")
    info = _my_call(sid)
    params = line_phone.call_params(str(sid), _caller_of(info), _line_number())
    digits = data.get("digits")
    speech = data.get("speech")
    if isinstance(digits, str) and digits:
        if not re.fullmatch(r"[0-9*#]{1,32}", digits):
            return jsonify({"error": "Touches invalides."}), 400
        params["Digits"] = digits
    elif isinstance(speech, str) and speech.strip():
        params["SpeechResult"] = speech.strip()[:200]
        params["Confidence"] = "0.9"
    elif data.get("kind") == "gather":
        params["Digits"] = ""  # actionOnEmptyResult: silence
    try:
        answer = _bridge().post(str(data.get("url") or ""), params)
    except line_phone.PhoneError as exc:
        return jsonify({"error": str(exc)}), 502
    return jsonify({"sid": sid, "url": answer.url, "script": answer.script})


@bp.post("/phone/hangup")
@roles(STAFF)
def phone_hangup() -> Any:
    """End the call (the caller hung up, or the line did): the status callback, as Twilio
    sends it, with the duration."""
    data = _phone_payload()
    sid = data.get("sid")
    info = _my_call(sid)
    calls_ = dict(session.get("staff_phone_calls", {}))
    calls_.pop(str(sid), None)
    session["staff_phone_calls"] = calls_
    bridge = _bridge()
    status = None
    if bridge.available(line_phone.STATUS_PATH):
        params = line_phone.call_params(str(sid), _caller_of(info), _line_number(),
                                           status="completed")
        duration = max(0, int(datetime.now().timestamp() - float(info["started"])))
        params["CallDuration"] = str(duration)
        try:
            status = bridge.notify(line_phone.STATUS_PATH, params)
        except line_phone.PhoneError as exc:
            return jsonify({"error": str(exc)}), 502
    return jsonify({"sid": sid, "status_callback": status,
                    "timeline": url_for("staff.call", call_sid=str(sid))})
