"""The kitchen's HTTP side: ``GET /kitchen/counts`` (JSON or CSV) and the kitchen staff pages.

Access
    * ``/kitchen/counts`` takes ``Authorization: Bearer <RESTOMAIRIE_KITCHEN_TOKEN>`` (compared in
      constant time). No token configured means no access at all (401), never an open endpoint.
    * The pages (and the CSV links on them) take the same token once — ``/kitchen/?token=…`` (a
      link bookmarked on the kitchen tablet; the token is dropped from the address at once) or the
      login form — and then a signed session cookie valid ``SESSION_HOURS`` hours. The cookie
      carries a fingerprint of the token, so changing the token logs every tablet out. The
      login form carries the browser's CSRF token (:mod:`restomairie.csrf`, as the staff
      pages' forms): a post without it is refused (400) before the token is tried.
    * A login of the staff back office (roles ``kitchen``, ``staff``, ``admin``) opens the pages
      and the CSV links too, when that capability is installed.
    * Guessing the token is rate-limited like the staff login's passwords
      (:mod:`restomairie.ratelimit`): :data:`TOKEN_LIMIT` wrong tokens from one client address
      (page link, login form or bearer header) in :data:`~restomairie.ratelimit.WINDOW` refuse
      that address's token tries, the right token too, with 429 and ``Retry-After`` until the
      oldest leaves the window or an admin clears the lock (the staff accounts page). A kitchen
      session already open and a staff login keep their access; a right token forgets the
      address's wrong ones. The token typed is never logged nor stored, only that a try failed.

Views parse the request and render; the counts come from
:class:`~restomairie.kitchen.service.KitchenService`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from restomairie.booking.errors import OutsideCalendar
from restomairie.csrf import NOT_DONE, csrf_ok, csrf_refusal, csrf_token
from restomairie.i18n import format_day, format_deadline
from restomairie.kitchen.chart import bar_chart
from restomairie.kitchen.export import (
    csv_filename,
    signed,
    status_text,
    to_csv,
    to_json,
    variant_label,
)
from restomairie.kitchen.service import (
    NEVER_LOCKED_ACTION,
    NOT_PRODUCED,
    KitchenService,
    UnknownKitchen,
)
from restomairie.ratelimit import KITCHEN_TOKEN, AddressLimit, Throttled
from restomairie.web import client_address, get_runtime

bp = Blueprint("kitchen", __name__, url_prefix="/kitchen")

TOKEN_VAR = "RESTOMAIRIE_KITCHEN_TOKEN"
SESSION_KEY = "kitchen"
SESSION_HOURS = 12  # one working shift on the kitchen tablet
STAFF_ROLES = frozenset({"kitchen", "staff", "admin"})  # back-office logins that may read counts
# Wrong tokens from one address in the window before its tries are refused: a tablet's typos
# pass, guessing a short token ("cuisine2026") does not.
TOKEN_LIMIT = 10
THROTTLED = ("Trop d'essais de jeton depuis ce poste : réessayez après {until}, ou demandez à "
             "un administrateur de débloquer ce poste (page Comptes de l'espace du personnel).")
PRINT_SCRIPT = (
    "document.querySelectorAll('[data-print]').forEach(function(b){"
    "b.hidden=false;b.addEventListener('click',function(){window.print()})})"
)
_PRINT_HASH = base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode()).digest()).decode()
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    f"script-src 'sha256-{_PRINT_HASH}'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class BadRequest(ValueError):
    """A query parameter the kitchen endpoints cannot use; the message says which and why."""


# --------------------------------------------------------------------------- access
def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def _expected_token() -> str | None:
    return get_runtime().settings.secret(TOKEN_VAR)


def token_matches(candidate: str | None) -> bool:
    """Constant-time comparison with the configured token; False when none is configured."""
    expected = _expected_token()
    if not expected or not candidate:
        return False
    return hmac.compare_digest(_digest(candidate), _digest(expected))


def token_limit() -> AddressLimit:
    """The rate limit on the kitchen token's tries (by client address). Call within a
    request or an application context."""
    rt = get_runtime()
    return AddressLimit(rt.sessions, rt.clock, KITCHEN_TOKEN, TOKEN_LIMIT, THROTTLED)


def _try_token(candidate: str | None) -> bool:
    """One try of the token by this client: True when right (the address's earlier wrong ones
    are forgotten), False when wrong (counted by address; the token typed is kept nowhere).
    Raises :class:`~restomairie.ratelimit.Throttled` when the address is past
    :data:`TOKEN_LIMIT`, before the token is looked at. An empty token, or none configured,
    is no guess: False, not counted."""
    if not candidate or not _expected_token():
        return False
    limit = token_limit()
    address = client_address()
    failures = limit.check(address)
    if token_matches(candidate):
        limit.succeeded(address, failures)
        return True
    limit.failed(address)
    return False


def _retry_after(exc: Throttled) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after(get_runtime().clock.now()))}


def _fingerprint(token: str) -> str:
    key = token.encode("utf-8")
    return hmac.new(key, b"restomairie-kitchen-session", hashlib.sha256).hexdigest()


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _open_session() -> None:
    expected = _expected_token()
    assert expected is not None
    session[SESSION_KEY] = {
        "fp": _fingerprint(expected),
        "since": get_runtime().clock.now().isoformat(),
        "csrf": secrets.token_urlsafe(24),
    }


def session_ok() -> bool:
    """A kitchen session opened with the current token, less than ``SESSION_HOURS`` old."""
    data = session.get(SESSION_KEY)
    expected = _expected_token()
    if not isinstance(data, dict) or not expected:
        return False
    if not hmac.compare_digest(str(data.get("fp", "")), _fingerprint(expected)):
        return False
    try:
        since = datetime.fromisoformat(str(data.get("since")))
    except ValueError:
        return False
    now = get_runtime().clock.now()
    return since <= now + timedelta(minutes=5) and now - since < timedelta(hours=SESSION_HOURS)


def _staff_login() -> tuple[str, str] | None:
    """(user name, role) of the back office's logged-in user, when the staff capability is
    installed."""
    if "restomairie.staff" not in current_app.extensions:
        return None
    from restomairie.staff.security import current_user

    user = current_user()
    return (user.username, user.role) if user is not None else None


def _staff_role() -> str | None:
    """The role of the back office's logged-in user, when the staff capability is installed."""
    login = _staff_login()
    return login[1] if login is not None else None


def page_access() -> bool:
    """May this browser read the kitchen pages (token session or staff login)?"""
    return session_ok() or _staff_role() in STAFF_ROLES


def _unauthorised(message: str, invalid: bool) -> Response:
    resp = jsonify({"error": message})
    resp.status_code = 401
    challenge = 'Bearer realm="restomairie-kitchen"'
    if invalid:
        challenge += ', error="invalid_token"'
    resp.headers["WWW-Authenticate"] = challenge
    return resp


# --------------------------------------------------------------------------- parsing
def parse_date(raw: str | None, name: str = "date") -> date:
    """``YYYY-MM-DD``; :class:`BadRequest` otherwise."""
    if not raw:
        raise BadRequest(f"Paramètre « {name} » manquant : une date AAAA-MM-JJ, ex. 2026-11-26.")
    try:
        if not ISO_DAY.fullmatch(raw):  # not the ISO week or ordinal forms fromisoformat takes
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(
            f"Date invalide « {raw[:40]} » pour « {name} » : attendu AAAA-MM-JJ, ex. 2026-11-26."
        ) from None


def _service() -> KitchenService:
    return KitchenService(get_runtime().booking)


def _kitchen_arg() -> str | None:
    kitchen = request.args.get("kitchen") or None
    try:
        _service().check_kitchen(kitchen)
    except UnknownKitchen as exc:
        raise BadRequest(str(exc)) from None
    return kitchen


# --------------------------------------------------------------------------- the data endpoint
@bp.get("/counts")
def counts() -> Response:
    """The counts of ``?date=`` as JSON, or ``?format=csv``."""
    bearer = _bearer()
    # A session or a staff login first: it keeps its access whatever the token tries from its
    # address.
    if not page_access():
        if not _expected_token():
            return _unauthorised("Accès cuisine non configuré (RESTOMAIRIE_KITCHEN_TOKEN).", False)
        if bearer is None:
            return _unauthorised("Jeton d'accès requis : Authorization: Bearer <jeton>.", False)
        try:
            right = _try_token(bearer)
        except Throttled as exc:
            refused = jsonify({"error": str(exc)})
            refused.status_code = 429
            refused.headers.update(_retry_after(exc))
            return refused
        if not right:
            return _unauthorised("Jeton d'accès invalide.", True)
    try:
        day = parse_date(request.args.get("date"))
        fmt = request.args.get("format", "json")
        if fmt not in ("json", "csv"):
            raise BadRequest(f"Format inconnu « {fmt[:20]} » : json ou csv.")
        kitchen = _kitchen_arg()
        found = _service().day(day, kitchen)
    except (BadRequest, OutsideCalendar) as exc:
        resp = jsonify({"error": str(exc)})
        resp.status_code = 400
        return resp
    if fmt == "csv":
        resp = Response(to_csv([found]), mimetype="text/csv")
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
        resp.headers["Content-Disposition"] = f'attachment; filename="{csv_filename(found)}"'
    else:
        resp = jsonify(to_json(found))
    resp.headers["Cache-Control"] = "no-store"
    return resp


# --------------------------------------------------------------------------- pages
UPCOMING_DAYS = 5  # days on the kitchen's front page
# Said where the school calendar in use ends: the days after it are not known until the town
# installs the next school year's calendar (README, "A newer school calendar").
UPDATE_CALENDAR = (
    "Les jours suivants s'afficheront quand la mairie aura mis à jour le calendrier scolaire "
    "(l'année suivante publiée par le ministère) : prévenez le service informatique de la "
    "mairie."
)


def school_year(day: date) -> int:
    """The school year a day belongs to, by the year it starts (September to August)."""
    return day.year if day.month >= 9 else day.year - 1


def day_with_year(day: date, today: date) -> str:
    """``jeudi 26 novembre``, with the year when the day is not in today's school year."""
    return format_day(day, year=school_year(day) != school_year(today))


def short_day(day: date) -> str:
    """``lun. 23``: a day button's label on a phone, where five days must fit in one row (the
    page gives screen readers the full date beside it)."""
    return format_date(day, "EEE d", locale="fr_FR")


def french_list(items: list[str]) -> str:
    """``a``, ``a et b``, ``a, b et c``."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


@bp.after_request
def _headers(resp: Response) -> Response:
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def _moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return format_deadline(moment.astimezone(get_runtime().settings.tz))


@bp.context_processor
def _helpers() -> dict[str, Any]:
    rt = get_runtime()
    account = _staff_login()
    return {
        "town": rt.settings.town,
        "day_label": format_day,
        "short_day": short_day,
        "moment": _moment,
        "signed": signed,
        "variant_label": variant_label,
        "status_text": status_text,
        "never_locked_action": NEVER_LOCKED_ACTION,
        "not_produced": NOT_PRODUCED,
        "print_script": Markup(PRINT_SCRIPT),  # a constant, hashed in the CSP
        "authed": session_ok(),
        # A back-office login reading these pages: its name, a link back to its pages (home,
        # password) and its own logout.
        "staff_account": account if account is not None and account[1] in STAFF_ROLES else None,
        "logout_token": (session.get(SESSION_KEY) or {}).get("csrf", ""),
        "csrf_token": csrf_token,  # the login form's
    }


def _login_page(status: int = 401, error: str | None = None) -> tuple[str, int]:
    configured = bool(_expected_token())
    staff_login = (
        url_for("staff.login", next=request.full_path.rstrip("?"))
        if "staff.login" in current_app.view_functions
        else None
    )
    page = render_template(
        "kitchen/login.html",
        error=error,
        configured=configured,
        next=request.full_path.rstrip("?"),
        staff_login=staff_login,
    )
    return page, status


def _throttled_page(exc: Throttled) -> tuple[str, int, dict[str, str]]:
    """The login page saying the address is refused token tries for now (429)."""
    page, status = _login_page(429, str(exc))
    return page, status, _retry_after(exc)


def _page_guard() -> Any:
    """None when the page may be shown; else the response to send (login or redirect)."""
    if "token" in request.args:
        rest = {k: v for k, v in request.args.items() if k != "token"}
        without_token = redirect(request.path + (f"?{urlencode(rest)}" if rest else ""), 303)
        try:
            right = _try_token(request.args.get("token"))
        except Throttled as exc:
            if page_access():  # the tablet's bookmark, its session still open: it keeps it
                return without_token
            return _throttled_page(exc)
        if right:
            _open_session()
            return without_token
        return _login_page(401, "Jeton invalide.")
    if not page_access():
        return _login_page()
    return None


@bp.get("/")
def index() -> Any:
    """The next five operating days, locked and provisional, with a chart and print links."""
    denied = _page_guard()
    if denied is not None:
        return denied
    svc = _service()
    try:
        raw = request.args.get("from")
        start = parse_date(raw, "from") if raw else get_runtime().clock.today()
        kitchen = _kitchen_arg()
        days = svc.upcoming(start, UPCOMING_DAYS, kitchen)
    except (BadRequest, OutsideCalendar) as exc:
        return render_template("kitchen/error.html", message=str(exc)), 400
    nxt = days[-1].day + timedelta(days=1) if days else None
    if nxt is not None and not svc.operating_days(nxt, 1):
        nxt = None  # past the calendar in use: no "Jours suivants" to an empty page
    today = get_runtime().clock.today()
    first, last = svc.calendar_range
    overdue = [d.day for d in days if d.overdue]
    breaks = svc.breaks([d.day for d in days])
    return render_template(
        "kitchen/index.html",
        days=days,
        wanted=UPCOMING_DAYS,
        start=start,
        start_label=day_with_year(start, today),
        calendar_first=first,
        calendar_first_label=format_day(first, year=True),
        calendar_last_label=format_day(last, year=True),
        overdue_days=french_list([f"le {day_with_year(d, today)}" for d in overdue]),
        next_start=nxt,
        update_calendar=UPDATE_CALENDAR,
        breaks={b.after: b for b in breaks},
        kitchen=kitchen,
        kitchens=get_runtime().settings.kitchens,
        kitchen_name=svc.kitchen_name(kitchen) if kitchen else None,
        chart=bar_chart(days, breaks),
        printed_at=get_runtime().clock.now(),
    )


def staff_links() -> list[tuple[str, str]]:
    """The kitchen pages as (label, address) for the back office's home page: the next days'
    counts, then the production sheets and the CSV of the days the kitchen produces now
    (:meth:`~restomairie.kitchen.service.KitchenService.production_days`: from 13:00 the days
    just locked, in the morning the ones today's cut-off locks), then today's sheets when
    today is served, for its delivery notes (none past the shipped calendar). Call within a
    request."""
    svc = _service()
    today = get_runtime().clock.today()
    links = [("Effectifs des repas des prochains jours", url_for("kitchen.index"))]
    produce = svc.production_days()
    for day in produce:
        label = format_day(day)
        links.append((f"Fiches de production du {label}",
                      url_for("kitchen.sheet", day=day.isoformat())))
        links.append((
            f"Effectifs du {label} en tableur (CSV)",
            url_for("kitchen.counts", date=day.isoformat(), format="csv"),
        ))
    if svc.operating_days(today, 1) == [today] and today not in produce:
        links.append((f"Bons de livraison du jour ({format_day(today)})",
                      url_for("kitchen.sheet", day=today.isoformat())))
    return links


@bp.get("/sheet/<day>")
def sheet(day: str) -> Any:
    """Printable production sheet of one day: a summary, then one page per delivery site."""
    denied = _page_guard()
    if denied is not None:
        return denied
    svc = _service()
    try:
        the_day = parse_date(day, "date")
        kitchen = _kitchen_arg()
        found = svc.day(the_day, kitchen)
        school = request.args.get("school")
        if school is not None and school not in {s.school for s in found.schools}:
            raise BadRequest(f"École inconnue : {school[:64]}.")
    except (BadRequest, OutsideCalendar) as exc:
        return render_template("kitchen/error.html", message=str(exc)), 400
    sites = [s for s in found.schools if (school is None or s.school == school)]
    sites = [s for s in sites if s.operating or s.locked or school is not None]
    kitchen_ids = list(dict.fromkeys(s.kitchen for s in found.schools))
    # The way back: the next days' list, at this day when it is one of them; a day further on
    # (or past) keeps a link to the counts from that day too.
    upcoming = svc.operating_days(get_runtime().clock.today(), UPCOMING_DAYS)
    return render_template(
        "kitchen/sheet.html",
        d=found,
        in_upcoming=the_day in upcoming,
        sites=sites,
        single=school is not None,
        kitchen=kitchen,
        kitchen_names=[svc.kitchen_name(k) for k in kitchen_ids],
        kitchen_name=svc.kitchen_name,
        printed_at=get_runtime().clock.now(),
    )


@bp.post("/login")
def login() -> Any:
    """The login form: the kitchen token typed once on the tablet. A post without this
    browser's CSRF token (another site's form, a page kept from a closed browser) is refused
    like every other form's, before the token is looked at (so not counted as a try), with the
    form again to type it in."""
    if not csrf_ok():
        return _login_page(400, csrf_refusal("Formulaire expiré : saisissez de nouveau le jeton."))
    try:
        right = _try_token(request.form.get("token"))
    except Throttled as exc:
        return _throttled_page(exc)
    if not right:
        return _login_page(401, "Jeton invalide.")
    _open_session()
    target = request.form.get("next") or ""
    if not target.startswith("/kitchen/") or "token=" in target:
        target = url_for("kitchen.index")
    return redirect(target, 303)


@bp.post("/logout")
def logout() -> Any:
    """Close the token session of this browser (a staff login is closed on the staff pages)."""
    expected = str((session.get(SESSION_KEY) or {}).get("csrf", ""))
    sent = request.form.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description=f"Formulaire expiré : {NOT_DONE}, vous êtes toujours "
                               "connecté(e). Rechargez la page, puis refaites-la.")
    session.pop(SESSION_KEY, None)
    return redirect(url_for("kitchen.index"), 303)
