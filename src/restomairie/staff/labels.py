"""French labels for the codes the phone line and the audit log store (steps, outcomes, refusals,
Twilio statuses, channels): the one place the staff pages translate them.

The codes come from :mod:`restomairie.ivr.flow` (``_ask``/``_retry``/``_end`` outcomes, the
``refused:<code>`` refusals and ``read_back:<iso date>``), :mod:`restomairie.ivr.service`
(``error``, ``error:<Twilio code>``, the status callback's ``CallStatus``) and the booking errors'
``code``. A code not listed here is shown as it is stored: a new one stays readable, never hidden.
"""

from __future__ import annotations

from datetime import date, datetime

from restomairie.i18n import format_day, format_deadline
from restomairie.textfold import fold

# The call's outcome (one per call, the strongest: see ``ivr.flow.OUTCOME_RANK``).
CALL_OUTCOMES = {
    "booked": "réservation",
    "cancelled": "annulation",
    "listened": "consultation",
    "refused": "refusé",
    # The caller hung up before any outcome (the status callback's); never a caller who said
    # goodbye: that is "goodbye", the caller ending the call with nothing done.
    "abandoned": "abandon",
    "goodbye": "terminé sans changement",
    # The line hung up at the account number or the code after the last attempt (wrong codes,
    # an unknown account, nothing typed): the caller was not identified.
    "ident_failed": "échec d'identification",
    "closed": "ligne fermée",
    "error": "erreur",
}
# A call with no outcome yet: no status callback (Twilio's end of call) has arrived. It is
# "en cours" for an hour after its start, then "fin non signalée" (see staff.services).
ONGOING = "in_progress"
ONGOING_LABEL = "en cours"
NO_END = "no_end"
NO_END_LABEL = "fin non signalée"
# What else the "Issue" column says of a call, beside its outcomes (read from its steps): a call
# refused because the family's (or the number's) phone access was locked is not a deadline
# refusal; "rien à annuler" / "déjà réservé", then goodbye or a hang-up, is "rien à changer" (not a
# plain "terminé sans changement" nor an abandon); a change read back and never confirmed because
# the caller hung up.
BLOCKED = "blocked"
NOTHING = "nothing"
HUNG_UP_READ_BACK = "hung_up_read_back"
CALL_FACTS = {
    BLOCKED: "accès bloqué",
    NOTHING: "rien à changer",
    HUNG_UP_READ_BACK: "raccroché à la relecture",
}

# The question a step answered.
STEPS = {
    "greeting": "accueil",
    "account": "numéro de dossier",
    "pin": "code secret",
    "child": "choix de l'enfant",
    "action": "menu",
    "date": "date",
    "confirm": "relecture",
    "after": "suite",
    "end": "fin",
    "status": "fin d'appel (Twilio)",
    "fallback": "secours (Twilio)",
    # Not a step of its own: the question the line asks at the code step when the family
    # recognised by caller ID is locked (see ASKED_INSTEAD).
    "locked_offer": "0 puis dièse pour un autre dossier",
}

# The question the line asks after a step, when that step's outcome alone says it (a call's last
# answer has no next step to name it: the caller hung up at the read-back, after a refusal).
# The same question again after an answer not understood; the rest as ``ivr.flow`` asks it.
ASKED_AGAIN = frozenset({
    "invalid", "not_understood", "invalid_key", "invalid_date", "no_input", "repeat", "stale",
    "operator", "wrong_code", "unknown_account", "not_confirmed", "wait", "help", "hello",
    "unnamed_children", "one_at_a_time",
    "left_out_only",
})
ASKED_AFTER = {
    "open": "account", "caller_id": "pin", "no_account": "account", "book": "date",
    "other_account": "account",
    "cancel": "date", "other_date": "date", "back": "action", "another": "action",
    "listed": "after", "booked": "after", "cancelled": "after", "unchanged": "after",
    "nothing_to_cancel": "after", "already_booked": "after", "nothing_to_do": "after",
    "which_child": "child", "another_which_child": "child", "day_kept": "action",
    "which_day": "date", "holidays": "date", "no_school_days": "date", "return_unknown": "date",
    "nothing_to_change": "after", "nothing_to_undo": "after",
}
# Outcomes whose next question depends on the step answered.
ASKED_AFTER_STEP = {
    ("account", "ok"): "pin", ("child", "ok"): "action", ("date", "several_days"): "date",
    ("action", "several_days"): "date", ("confirm", "several_days"): "confirm",
    ("child", "holidays_asked"): "child", ("action", "holidays_asked"): "action",
    ("after", "holidays_asked"): "action",
    ("child", "rule_asked"): "child", ("action", "rule_asked"): "action",
    ("after", "rule_asked"): "action", ("date", "rule_asked"): "date",
}
# Answers whose question is not the one of the step the line then waits at: the family recognised
# by caller ID is locked, and the line, still at the code step, offers only "0 puis dièse" for
# another account (ivr.flow's _on_locked_offer: anything else ends the call), not the code.
ASKED_INSTEAD = {("pin", "locked"): "locked_offer"}
# A refusal asks for another date, except a change taken back too late (or said instead, past its
# deadline since the read-back): then the line offers another operation.
REFUSED_AFTER = {("confirm", "refused:past_deadline"), ("confirm", "refused:undo"),
                 ("after", "refused:undo")}


# What happened at one step.
EVENT_OUTCOMES = {
    "open": "ligne ouverte",
    "caller_id": "dossier reconnu par le numéro appelant",
    "closed": "ligne fermée",
    "ok": "compris",
    "invalid": "saisie invalide",
    "unknown_account": "dossier inconnu",
    "no_account": "numéro de dossier manquant",
    "wrong_code": "code erroné",
    # "0#" at the code question of a caller recognised by caller ID: the phone is another
    # family's (a grandmother's); the account number is asked.
    "other_account": "autre dossier demandé",
    "right_code": "code correct",
    "locked": "accès bloqué (codes erronés)",
    "caller_blocked": "numéro bloqué (trop de codes erronés depuis ce numéro)",
    "invalid_key": "touche non prévue",
    "not_understood": "pas compris",
    "unnamed_children": "enfants dits sans leur prénom (prénom demandé)",
    "left_out_only": "enfants seulement exclus (« ni l'un ni l'autre ») : quel enfant ?",
    "invalid_date": "date non comprise",
    "no_input": "silence",
    "repeat": "question répétée",
    "stale": "question reposée",
    "operator": "demande un conseiller (ligne automatique)",
    "wait": "demande d'attendre (la ligne attend la réponse)",
    "help": "demande d'aide (comment répondre, puis la question)",
    "hello": "« allô ? » (la ligne répond qu'elle entend, puis la question)",
    "change_child": "changement d'enfant",
    "which_child": "action dite avant l'enfant : quel enfant ?",
    "day_kept": "jour dit sans l'action : l'action demandée pour ce jour",
    "not_confirmed": "remerciement ou au revoir sans oui : rien n'est encore fait",
    "too_slow": "confirmation reçue, pas faite (problème technique) : rien n'a été changé",
    "several_days": "plusieurs jours demandés (un à la fois)",
    "one_at_a_time": "plusieurs opérations mêlées : une à la fois, la question à nouveau",
    "which_day": "un jour ou un autre : lequel ?",
    "holidays": "vacances scolaires demandées (pas de cantine)",
    "holidays_asked": "question sur les vacances scolaires : pas de cantine, reprise dite",
    "asked_day": "question sur un jour : réservé ou non, jusqu'à quand le changer",
    "rule_asked": "question sur les jours encore modifiables : règle du délai et premier jour dits",
    "nothing_to_change": "réponse à sa question reçue (« parfait », « non ») : rien à changer",
    "no_school_days": "jours demandés sans cantine (vacances, mercredis) : dit, la date redemandée",
    "return_unknown": "rentrée demandée au-delà du calendrier scolaire connu : dit",
    "menus_prices": "menus ou tarifs demandés : renvoyé au site",
    "billing": "facturation demandée : quand un repas est facturé, puis la question",
    "dismay": "« ah non » après un changement : comment le reprendre",
    "nothing_to_undo": "« annulez » après des demandes qui n'ont rien changé : rien à reprendre",
    "english": "passe l'appel en anglais (clavier)",
    "french": "repasse l'appel en français (touche 9)",
    "subscription": "abonnement ou changement d'école demandé (pas sur cette ligne)",
    "enrolment": "inscription à la cantine demandée (pas sur cette ligne) : qui appeler, dit",
    "prices": "tarifs ou factures demandés : qui appeler, dit",
    "skipped": "« non » à l'un de plusieurs jours : jour laissé, le suivant relu",
    "book": "réserver",
    "cancel": "annuler",
    "listed": "écoute des réservations",
    "back": "retour au menu",
    "other_date": "autre date demandée",
    # Nothing to do: a cancellation with no meal to cancel is not a change already made (the
    # agent must not tell the parent "vous aviez déjà annulé"). Calls logged before the line
    # told them apart only say "nothing_to_do".
    "nothing_to_cancel": "rien à annuler (pas de repas réservé)",
    "already_booked": "déjà réservé",
    "nothing_to_do": "rien à changer (rien à annuler ou déjà réservé)",
    "booked": "réservé",
    "cancelled": "annulé",
    "unchanged": "rien n'a changé",
    "another": "autre opération",
    "another_which_child": "autre opération : quel enfant ? (aucun choisi avant l'écoute)",
    "goodbye": "au revoir",
    "too_long": "appel trop long : terminé",
    "ended": "après la fin de l'appel : rien n'a été fait",
    "error": "erreur",
}
# Why a change was refused (``refused:<code>``; the booking errors' codes).
REFUSALS = {
    "past_day": "jour passé",
    "past_deadline": "délai dépassé",
    "locked": "jour verrouillé",
    "not_operating": "pas de cantine ce jour",
    "not_enrolled": "enfant non inscrit ce jour",
    "outside_calendar": "hors calendrier",
    "unknown_family": "dossier inconnu",
    "unknown_child": "enfant inconnu",
    "invalid": "demande invalide",
    "error": "erreur",
    # The phone line's own: a change taken back that could no longer be undone, a change
    # ready after the webhook's time limit (rolled back).
    "undo": "trop tard pour revenir sur le changement",
    "too_slow": "réponse trop lente : rien n'a été fait",
}
# How a change read back and never confirmed ended (see staff.services._read_back_end): the
# caller hung up, declined ("non merci"), or asked for something else instead.
READ_BACK_ENDINGS = {
    "hung_up": "raccroché",
    "goodbye": "l'appelant a dit au revoir",
    "line_ended": "la ligne a terminé l'appel",
    "other_date": "autre date demandée",
    "back": "retour au menu",
    "change_child": "autre enfant demandé",
    "skipped": "jour laissé tel quel",
}
# The request, by its action (a call logged before the line kept the action: "demande").
REQUESTS = {"book": "réservation", "cancel": "annulation"}
_VERBS = {"book": "réserver", "cancel": "annuler"}
# What a change made on the phone left the meal (the call log's "Rose — 26/11 : annulé").
DONE_STATES = {"book": "réservé", "cancel": "annulé"}


# Twilio's CallStatus, logged by the status callback.
STATUSES = {
    "queued": "en attente",
    "ringing": "sonnerie",
    "in-progress": "en communication",
    "completed": "terminé",
    "busy": "occupé",
    "failed": "échec",
    "no-answer": "sans réponse",
    "canceled": "annulé avant réponse",
}
# A family's language (the phone line's catalogs, ``i18n.LANGUAGES``).
LANGUAGES = {"fr": "français", "en": "anglais"}
# Who made a change, as the journal stores it ("family:210500", "staff:marie", "system:demo").
ACTOR_KINDS = {"family": "famille", "staff": "agent", "system": "système"}
# Who an entry names when its stored actor would mislead. A phone lockout is stored with the
# account it protects ("family:210502": the journal's filter by family finds it), but nobody in
# the family did it: the line locked the access itself after wrong codes, maybe typed from a
# number that is not the family's.
ACTION_ACTORS = {"phone_lockout": "blocage automatique (codes erronés)"}
CHANNELS = {
    "phone": "téléphone",
    "web": "web",
    "staff": "personnel",
    "import": "import",
    "system": "système",
}


def call_outcome_label(outcome: str | None) -> str:
    """The call's outcome (``None``: still without one)."""
    if outcome is None or outcome == ONGOING:
        return ONGOING_LABEL
    if outcome == NO_END:
        return NO_END_LABEL
    return CALL_OUTCOMES.get(outcome) or CALL_FACTS.get(outcome, outcome)


def step_label(step: str) -> str:
    return STEPS.get(step, step)


def asked_after(step: str, outcome: str | None) -> str | None:
    """The step the line's answer to ``step`` asks about (the question it ends with), when the
    outcome says it; ``None`` when it depends on more than the outcome."""
    if not outcome:
        return None
    if (step, outcome) in ASKED_INSTEAD:
        return ASKED_INSTEAD[step, outcome]
    if outcome in ASKED_AGAIN:
        return step
    if outcome.startswith("read_back:"):
        return "confirm"
    if outcome.startswith("refused:"):
        return "after" if (step, outcome) in REFUSED_AFTER else "date"
    return ASKED_AFTER_STEP.get((step, outcome)) or ASKED_AFTER.get(outcome)


def language_label(language: str) -> str:
    return LANGUAGES.get(language, language)


def diet_label(diet: str) -> str:
    """A child's menu as the kitchen pages name it ("Panier repas (PAI)", "Sans porc")."""
    from restomairie.kitchen.export import variant_label

    return variant_label(diet)


def who_label(actor: str, action: str | None = None) -> str:
    """Who made an audit entry, in words: "famille 210500", "agent marie"; for an entry the
    line made on its own (``action``: a lockout) what did it, "blocage automatique (codes
    erronés)". An unknown kind is shown as stored."""
    if action in ACTION_ACTORS:
        return ACTION_ACTORS[action]
    kind, _, who = actor.partition(":")
    label = ACTOR_KINDS.get(kind)
    if label and (not who or who == kind):
        return label  # "system" (the nightly purge), "system:system"
    return f"{label} {who}" if label and who else actor


def actor_query(text: str) -> str:
    """What to look for in the journal's stored actors for ``text`` typed in its "Qui" filter,
    which may be what the journal shows: "famille 210500" is "family:210500", "agent marie"
    "staff:marie"; anything else as typed."""
    query = " ".join(text.split()).lower()
    plain = fold(query)  # "systeme" typed without its accent
    for kind, label in ACTOR_KINDS.items():
        label = fold(label)
        if plain == label:
            return kind
        if plain.startswith(f"{label} "):
            return f"{kind}:{query[len(label) + 1:]}"
    return query


def channel_label(channel: str) -> str:
    return CHANNELS.get(channel, channel)


def event_label(outcome: str | None, step: str | None = None) -> str:
    """What happened at one step of a call, in French; the raw code when unknown."""
    if not outcome:
        return ""
    if step == "status":
        return STATUSES.get(outcome, outcome)
    kind, _, rest = outcome.partition(":")
    if rest:
        if kind == "refused":
            return f"refusé : {REFUSALS.get(rest, rest)}"
        if kind == "read_back":
            if rest == "undo":  # "je me suis trompé": the change just made, to be undone
                return "relecture : revenir sur le changement"
            try:
                day = date.fromisoformat(rest)
            except ValueError:
                return outcome
            return f"relecture du {format_day(day, year=True)}"
        if kind == "error":
            return f"erreur (code Twilio {rest})"
        return outcome
    return EVENT_OUTCOMES.get(outcome, outcome)


def refused_deadline(action: str | None, deadline: datetime) -> str:
    """The deadline a request came after, as the line said it: "il fallait annuler avant le
    lundi 30 novembre à 13 heures"."""
    verb = _VERBS.get(action or "", "changer le repas")
    return f"il fallait {verb} avant le {format_deadline(deadline)}"


def attempt_label(
    kind: str, code: str, action: str | None, deadline: datetime | None = None,
    reason: str | None = None,
) -> str:
    """A phone request that changed nothing, in the agent's words: "annulation refusée (trop
    tard : il fallait annuler avant le vendredi 20 novembre à 13 heures)", "annulation relue,
    jamais confirmée (raccroché)". ``kind``: ``refused`` (``code``: the refusal's) or
    ``read_back`` (``code``: how it ended, :data:`READ_BACK_ENDINGS`); ``deadline`` and
    ``reason`` (a closed day's), when known, say why."""
    noun = REQUESTS.get(action or "", "demande")
    if kind == "read_back" and code == "too_slow":
        # Confirmed, but the change was rolled back (ready past the webhook's time limit).
        return (f"{noun} relue et confirmée, mais pas faite (problème technique) : "
                "rien n'a été changé")
    if kind == "read_back":
        return f"{noun} relue, jamais confirmée ({READ_BACK_ENDINGS.get(code, code)})"
    if code in ("past_deadline", "locked") and deadline is not None:
        why = f"trop tard : {refused_deadline(action, deadline)}"
    elif code == "past_deadline":
        why = "trop tard"
    elif code == "not_operating" and reason:
        why = f"pas de cantine ce jour : {reason}"
    else:
        why = REFUSALS.get(code, code)
    return f"{noun} refusée ({why})"
