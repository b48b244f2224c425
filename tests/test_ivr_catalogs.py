"""The phone line's message catalogs: complete, consistent with the code, and compiled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import restomairie
from restomairie.ivr.prompts import LOCALES, TRANSLATIONS_DIR, Speaker

PACKAGE = Path(restomairie.__file__).parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _po(lang: str) -> Catalog:
    with open(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def _mo(lang: str) -> Catalog:
    with open(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
        return read_mo(f)


def _plain(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _table(catalog: Catalog) -> dict[object, object]:
    return {_plain(m.id): _plain(m.string) for m in catalog if m.id}


def _code_messages() -> set[object]:
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")])
    return {message for _file, _line, message, _comments, _context in found}


@pytest.mark.parametrize("lang", sorted(LOCALES))
def test_the_compiled_catalog_is_up_to_date_with_its_po_file(lang: str) -> None:
    po = _po(lang)
    assert _table(_mo(lang)) == _table(po), "run: pybabel compile -d src/restomairie/translations"


@pytest.mark.parametrize("lang", sorted(LOCALES))
def test_every_sentence_of_the_code_is_translated_and_nothing_else(lang: str) -> None:
    po = _po(lang)
    assert set(_table(po)) == _code_messages(), "run pybabel extract/update (see prompts.py)"
    for message in po:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id}"


@pytest.mark.parametrize("lang", sorted(LOCALES))
def test_translations_keep_every_placeholder(lang: str) -> None:
    for message in _po(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


def test_the_french_catalog_speaks_french(settings: object) -> None:
    from restomairie.config import Settings

    assert isinstance(settings, Settings)
    assert Speaker(settings, "fr")._("Goodbye.") == "Au revoir."
    assert Speaker(settings, "en")._("Goodbye.") == "Goodbye."
    assert Speaker(settings, "de").lang == "fr"  # an unknown language falls back to French


@pytest.mark.parametrize(
    "name",
    ["Vacances de la Toussaint", "Vacances de Noël", "Vacances d'Hiver", "Vacances de Printemps",
     "Vacances d'Été", "Pont de l'Ascension"],
)
def test_the_pages_and_the_command_line_name_the_holidays_as_the_phone_line_does(
    name: str,
) -> None:
    """One spelling of the school holidays everywhere: :func:`holiday_label` (command line, staff
    and kitchen pages) is the French catalog's name of the period, its article aside."""
    from restomairie.calendar.schoolholidays import holiday_label
    from restomairie.config import load_config
    from restomairie.ivr.flow import _holiday_name

    said = _holiday_name(Speaker(load_config("dijon", environ={}), "fr"), name)
    article, _, rest = said.partition(" ")
    assert article in ("le", "les") and rest == holiday_label(name)


def test_days_listed_say_each_month_once_after_its_days(settings: object) -> None:
    # The listing of two weeks said the month after every day ("jeudi 17 décembre, vendredi
    # 18 décembre, lundi 4 janvier"): each month once, after its last day in a row.
    from datetime import date

    from restomairie.config import Settings

    assert isinstance(settings, Settings)
    days = [date(2026, 12, 17), date(2026, 12, 18), date(2027, 1, 4)]
    fr, en = Speaker(settings, "fr"), Speaker(settings, "en")
    assert fr.days_by_month(days) == (
        "le jeudi 17 et le vendredi 18 décembre, puis le lundi 4 janvier"
    )
    assert en.days_by_month(days) == "Thursday 17 and Friday 18 December, then Monday 4 January"
    assert fr.days_by_month([date(2026, 12, 1)]) == "le mardi 1er décembre"
    assert fr.days_by_month([date(2026, 11, 30), date(2026, 12, 1), date(2027, 1, 4)]) == (
        "le lundi 30 novembre, puis le mardi 1er décembre, puis le lundi 4 janvier"
    )


def test_a_choice_of_days_says_each_month_once_after_its_days(settings: object) -> None:
    # The choice question said the month after each day ("le jeudi 26 novembre ou le vendredi
    # 27 novembre ?"): once, as the listing says it; days of two months keep both.
    from datetime import date

    from restomairie.config import Settings

    assert isinstance(settings, Settings)
    fr, en = Speaker(settings, "fr"), Speaker(settings, "en")
    same = [date(2026, 11, 26), date(2026, 11, 27)]
    assert fr.days_either(same) == "le jeudi 26 ou le vendredi 27 novembre"
    assert en.days_either(same) == "Thursday 26 or Friday 27 November"
    across = [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 3)]
    assert fr.days_either(across) == (
        "le lundi 30 novembre, le mardi 1er ou le jeudi 3 décembre"
    )
    assert en.days_either(across) == (
        "Monday 30 November, Tuesday 1 or Thursday 3 December"
    )
