"""Every sentence of the phone line, from the Babel message catalogs, in the caller's language.

The catalogs live in ``restomairie/translations/<lang>/LC_MESSAGES/messages.{po,mo}`` (French and
English shipped; message ids are English). Dates, hours and lists are spoken through Babel in the
same locale ("jeudi 26 novembre", "13 heures", "Léa et Hugo").

To change a sentence: edit the code (English) or the ``.po`` (translation), then::

    pybabel extract -F babel.cfg --project=restomairie --copyright-holder=Resto-Mairie \
        --no-location --sort-output -o src/restomairie/translations/messages.pot .
    pybabel update -i src/restomairie/translations/messages.pot \
        -d src/restomairie/translations --no-fuzzy-matching -w 100
    pybabel compile -d src/restomairie/translations

(the options keep the files as they are: no line numbers, sorted, 100 columns), and commit the
``.po`` and ``.mo`` together (a test checks the ``.mo`` matches the ``.po``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from babel.core import Locale
from babel.dates import format_date, get_month_names
from babel.lists import format_list
from babel.support import Translations

from restomairie.clock import Clock
from restomairie.config import Settings
from restomairie.i18n import DEFAULT_LANGUAGE, format_day, format_deadline, format_hour

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
FAR_DAY = timedelta(days=183)  # a day further than this from today is said with its year
_ELIDING = frozenset("AEIOUYHÀÂÄÉÈÊËÎÏÔÖÙÛÜaeiouyhàâäéèêëîïôöùûü")  # "d'Éloïse", "d'Hugo"
# Voices for the languages the configuration does not name (it names the French one).
OTHER_VOICES = {"en": ("Polly.Amy-Neural", "en-GB")}
SPEECH_LANGUAGES = frozenset({"fr"})  # the speech parser understands French only


class MissingCatalog(RuntimeError):
    """A shipped message catalog is missing: the line would speak raw message ids."""


@functools.cache
def catalog(lang: str) -> Translations:
    """The compiled catalog of ``lang`` (loaded once per process)."""
    found = Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")
    if not isinstance(found, Translations):
        raise MissingCatalog(f"no compiled catalog for {lang!r} in {TRANSLATIONS_DIR}")
    return found


def language_of(code: str | None) -> str:
    """A language the line speaks: ``"en"``, ``"en-GB"``, ``"fr_FR"``… else French."""
    short = (code or "").replace("_", "-").split("-")[0].lower()
    return short if short in LOCALES else DEFAULT_LANGUAGE


class Speaker:
    """The line's words and voice in one language."""

    def __init__(
        self, settings: Settings, lang: str = DEFAULT_LANGUAGE, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock  # for the year of far days (none: never said)
        self.lang = language_of(lang)
        self.locale = LOCALES[self.lang]
        self._babel_locale = Locale.parse(self.locale)  # parsed once, not on every list or date
        self._catalog = catalog(self.lang)

    # -- words
    def _(self, message: str, **params: Any) -> str:
        text = self._catalog.gettext(message)
        return self._elided(text, params) % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self._catalog.ngettext(singular, plural, n)
        return self._elided(text, params) % params if params else text

    def _elided(self, text: str, params: dict[str, Any]) -> str:
        """French elides "de" before a vowel or a mute h: "le repas d'Éloïse", "d'Hugo". The
        catalog writes "de %(names)s"; the value decides."""
        if self.lang != "fr":
            return text
        for key, value in params.items():
            if isinstance(value, str) and value[:1] in _ELIDING:
                text = text.replace(f"de %({key})s", f"d'%({key})s")
                text = text.replace(f"De %({key})s", f"D'%({key})s")
        return text

    def day(self, day: date, year: bool | None = None) -> str:
        """``jeudi 26 novembre``, ``mardi 1er décembre``; by default with its year when it is
        more than half a year from today (``jeudi 2 septembre 2027``): "0209" typed on 10
        September is next year's, and the caller must hear it. ``year`` forces either way."""
        if year is None:
            year = self.clock is not None and abs(day - self.clock.today()) > FAR_DAY
        return format_day(day, self.locale, year=year)

    def weekday_and_day(self, day: date) -> str:
        """``lundi 23``, ``mardi 1er``: a day said without its month (said once, after the last
        day of a list in that month)."""
        if day.day == 1 and self.lang == "fr":
            return format_date(day, "EEEE '1er'", locale=self._babel_locale)
        return format_date(day, "EEEE d", locale=self._babel_locale)

    def day_month(self, day: date) -> str:
        """``15 août``, ``1er septembre`` (French says the first of the month as an ordinal)."""
        if day.day == 1 and self.lang == "fr":
            return format_date(day, "'1er' MMMM", locale=self._babel_locale)
        return format_date(day, "d MMMM", locale=self._babel_locale)

    def day_of_month(self, day: int, month: int) -> str:
        """``30 février``: a day and month said as typed, even one that does not exist."""
        name = get_month_names("wide", locale=self._babel_locale)[month]
        return f"{day} {name}"

    def either(self, texts: Sequence[str]) -> str:
        """``le jeudi 26 ou le vendredi 27 novembre``: a choice (of days: said by
        :meth:`days_either`)."""
        return format_list(list(texts), style="or", locale=self._babel_locale)

    def weekday(self, day: date) -> str:
        return format_date(day, "EEEE", locale=self._babel_locale)

    def before(self, moment: datetime) -> str:
        """A deadline as the caller hears it, "avant" (*before*) included, in the town's time:
        ``aujourd'hui avant 13 heures``, ``demain avant 13 heures``, ``hier avant 13 heures``,
        else with its date, ``avant le lundi 23 novembre à 13 heures``. The day first when it
        is today, tomorrow or yesterday, in every sentence (the refusals, "ce jour peut encore
        être changé", the warning before holidays, the closed line): it is the news, and
        "avant hier à 13 heures" would be heard as *avant-hier*, two days ago. A caller at
        13:05 hearing "avant le lundi 23 novembre" must work out that it was today. A deadline
        at midnight is the end of the day before: tonight's is ``avant minuit ce soir``, any
        other ``avant le lundi 23 novembre à minuit`` (never "demain", nor "demain à minuit",
        heard either way)."""
        local = moment.astimezone(self.settings.tz)
        if self.clock is not None:
            today = self.clock.today()
            if (local.hour, local.minute) == (0, 0):
                if local.date() == today + timedelta(days=1):
                    return self._("before midnight tonight")
            elif local.date() == today:
                return self._("today before %(hour)s", hour=self.hour(local))
            elif local.date() == today + timedelta(days=1):
                return self._("tomorrow before %(hour)s", hour=self.hour(local))
            elif local.date() == today - timedelta(days=1):
                return self._("yesterday before %(hour)s", hour=self.hour(local))
        said = format_deadline(local, self.locale)
        return self._("(a deadline's date) before %(deadline)s", deadline=said)

    def moment(self, moment: datetime) -> str:
        """A moment gone by, in the town's time, as said after "annulé" (*cancelled*):
        ``aujourd'hui à 9 h 05``, ``hier à 18 heures``, else ``le lundi 23 novembre à 10 h
        20``."""
        local = moment.astimezone(self.settings.tz)
        hour = self.hour(local)
        if self.clock is not None:
            today = self.clock.today()
            if local.date() == today:
                return self._("today at %(hour)s", hour=hour)
            if local.date() == today - timedelta(days=1):
                return self._("yesterday at %(hour)s", hour=hour)
        return self._("on %(day)s at %(hour)s", day=self.day(local.date()), hour=hour)

    def hour(self, moment: datetime | time) -> str:
        """``13 heures``, ``10 h 15``."""
        if isinstance(moment, time):
            moment = datetime.combine(date(2000, 1, 3), moment)
        else:
            moment = moment.astimezone(self.settings.tz)
        return format_hour(moment, self.locale)

    def days(self, days: Sequence[date]) -> str:
        """``lundi 30 novembre, mardi 1er décembre et jeudi 3 décembre``: days said in a list,
        each whole (the read-backs that follow say them so)."""
        return self.names([self.day(day) for day in days])

    def days_by_month(self, days: Sequence[date], without: bool = False) -> str:
        """``le jeudi 17 et le vendredi 18 décembre, puis le lundi 4 janvier``: days in order,
        each with its article, the month said once after the last day of each run of days of
        one month (a listing of two weeks, not "jeudi 17 décembre, vendredi 18 décembre").
        ``without``: the days without a meal, whose months are joined by "ainsi que" ("Pas de
        repas le mardi 29 juin, ainsi que le vendredi 2 juillet"): "puis" after "pas de repas"
        was no French. A choice of days is :meth:`days_either`."""
        said = ""
        for parts in self._month_runs(days):
            month = self.names(parts)
            if not said:
                said = month
            elif without:
                said = self._(
                    "(months in a list of days without a meal) %(earlier)s, as well as "
                    "%(later)s",
                    earlier=said,
                    later=month,
                )
            else:
                said = self._(
                    "(months in a list) %(earlier)s, then %(later)s", earlier=said, later=month
                )
        return said

    def days_either(self, days: Sequence[date]) -> str:
        """``le jeudi 26 ou le vendredi 27 novembre``: a choice of days, in order, every day
        joined by "ou" (:meth:`either`), the month still said once after the last day of each
        run of one month, as :meth:`days_by_month` says it ("le lundi 30 novembre, le mardi
        1er ou le jeudi 3 décembre")."""
        return self.either([part for parts in self._month_runs(days) for part in parts])

    def _month_runs(self, days: Sequence[date]) -> list[list[str]]:
        """``days`` (in order) grouped by runs of one month, each day said with its article,
        the month only after the last day of its run: what :meth:`days_by_month` and
        :meth:`days_either` join."""
        groups: list[list[date]] = []
        for day in days:
            if groups and (groups[-1][-1].year, groups[-1][-1].month) == (day.year, day.month):
                groups[-1].append(day)
            else:
                groups.append([day])
        return [
            [
                self._(
                    "(a day in a list) %(day)s",
                    day=self.day(day) if k == len(group) - 1 else self.weekday_and_day(day),
                )
                for k, day in enumerate(group)
            ]
            for group in groups
        ]

    def names(self, names: Sequence[str]) -> str:
        """``Léa``, ``Léa et Hugo``, ``Léa, Hugo et Zoé``."""
        return format_list(list(names), locale=self._babel_locale) if names else ""

    def keys(self, digits: str) -> str:
        """Keys to press, spoken one by one: ``2, 6, 1, 1``."""
        return ", ".join(digits)

    # -- voice
    @property
    def voice(self) -> str:
        if self.lang == DEFAULT_LANGUAGE:
            return self.settings.phone.voice
        return OTHER_VOICES[self.lang][0]

    @property
    def say_language(self) -> str:
        if self.lang == DEFAULT_LANGUAGE:
            return self.settings.phone.language
        return OTHER_VOICES[self.lang][1]

    @property
    def speech(self) -> bool:
        """Whether questions also accept speech in this language."""
        return self.lang in SPEECH_LANGUAGES

    @property
    def speech_language(self) -> str:
        return self.settings.phone.language
