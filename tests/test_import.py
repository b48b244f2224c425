"""The families CSV import: all or nothing, errors by line."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, func, select

from restomairie.booking import queries
from restomairie.booking.errors import PastDeadline
from restomairie.booking.importer import (
    ImportFailed,
    apply_rows,
    check_file,
    import_csv,
    match_diet,
    match_weekday,
    normalise_phone,
    school_days,
    split_phones,
)
from restomairie.booking.services import Actor
from restomairie.clock import PARIS
from restomairie.config import Settings
from restomairie.kitchen.service import KitchenService
from restomairie.models import AuditEntry, Child, Family, LockAdjustment
from restomairie.runtime import Runtime

IMPORTER = Actor("staff", "marie", "import")
HEADER = "family,pin,phones,guardian,child,first_name,last_name,birth_date,school,diet,days\n"
GOOD = (
    HEADER
    + "210001,1234,0612345678,Mme Martin,E1,Léa,Martin,2018-03-04,anjou-elem,standard,lun mar jeu ven\n"
    + "210001,1234,0612345678,Mme Martin,E2,Hugo,Martin,04/05/2020,anjou-elem,pai,\n"
    + "210002,9876,+33380000000 0033612000000,M. Petit,E3,Zoé,Petit,,darcy-elem,vegetarien,lun jeu\n"
)


def families(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Family)) or 0)


def test_a_good_file_imports_families_children_and_subscriptions(rt: Runtime) -> None:
    report = import_csv(rt.booking, GOOD.encode(), IMPORTER)
    assert (report.families_created, report.children_created) == (2, 3)
    info = rt.booking.family_info("210001")
    assert [c.first_name for c in info.children] == ["Hugo", "Léa"]
    assert info.phones == ("+33612345678",)
    assert rt.booking.family_info("210002").phones == ("+33380000000", "+33612000000")
    # The subscription starts on the first day that can still be changed (Monday 23 Nov, 10:00:
    # Thursday 26 November is open, its deadline is Monday 13:00).
    assert rt.booking.state("210001", "E1", date(2026, 11, 26)).source == "subscription"
    assert rt.booking.state("210001", "E2", date(2026, 11, 26)).source == "none"
    assert rt.booking.check_pin("210002", "9876").ok


def test_semicolons_and_a_bom_are_accepted(rt: Runtime) -> None:
    data = "\ufeff" + GOOD.replace(",", ";")
    import_csv(rt.booking, data.encode("utf-8"), IMPORTER)
    assert families(rt) == 2


def test_a_bad_line_imports_nothing_and_names_every_wrong_line(rt: Runtime) -> None:
    bad = (
        GOOD
        + "210003,12a4,0612345678,M. X,E4,Tom,X,2019-01-01,anjou-elem,standard,\n"
        + "210004,1111,0612345678,M. Y,E5,Noé,Y,2019-01-01,nowhere,standard,\n"
        + "210005,1111,0612345678,M. Z,E6,Lou,Z,2019-01-01,anjou-elem,halal,\n"
        + "210006,1111,12,M. W,E7,Lina,W,2019-01-01,anjou-elem,standard,\n"
        + "210007,1111,0612345678,M. V,E8,Ambre,V,2019-01-01,anjou-elem,standard,lun funday\n"
        + "210008,1111,0612345678,M. U,E1,Sacha,U,2019-01-01,anjou-elem,standard,\n"
        + "210009,1111,0612345678,M. T,E9,Jade,T,31/02/2019,anjou-elem,standard,\n"
        + "210010,1111\n"
    )
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, bad.encode(), IMPORTER)
    lines = [n for n, _ in err.value.errors]
    assert lines == [5, 6, 7, 8, 9, 10, 11, 12]
    messages = dict(err.value.errors)
    assert "4 chiffres" in messages[5]
    assert "école inconnue" in messages[6]
    assert "régime inconnu" in messages[7]
    assert "téléphone invalide" in messages[8]
    assert "jour inconnu" in messages[9]
    assert "déjà présent ligne 2" in messages[10]
    assert "date de naissance invalide" in messages[11]
    assert "colonnes" in messages[12]
    assert families(rt) == 0


def test_a_family_with_inconsistent_rows_is_refused(rt: Runtime) -> None:
    data = GOOD.replace(
        "210001,1234,0612345678,Mme Martin,E2", "210001,4321,0612345678,Mme Martin,E2"
    )
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, data.encode(), IMPORTER)
    assert err.value.errors[0][0] == 3


def test_missing_columns_and_non_utf8_files_are_refused(rt: Runtime) -> None:
    with pytest.raises(ImportFailed, match="colonnes manquantes : diet, days"):
        import_csv(
            rt.booking,
            b"family,pin,phones,guardian,child,first_name,last_name,birth_date,school\n",
            IMPORTER,
        )
    # Neither UTF-8 nor Windows-1252 (0x81 is undefined there): a French message with the fix.
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, GOOD.encode() + b"\x81\xff\n", IMPORTER)
    [(line, message)] = err.value.errors
    assert line == 1 and "ni UTF-8 ni Windows-1252" in message and "CSV UTF-8" in message
    assert families(rt) == 0


def test_a_windows_1252_file_from_excel_is_read_and_says_so(rt: Runtime) -> None:
    excel = GOOD.replace(",", ";").replace("Mme Martin", "Mme Lefèvre-Œuvray")
    report = import_csv(rt.booking, excel.encode("cp1252"), IMPORTER)
    assert report.encoding == "Windows-1252" and report.families_created == 2
    assert rt.booking.family_info("210001").children[1].first_name == "Léa"
    with rt.sessions() as s:
        assert s.scalars(select(Family.guardian).where(Family.account == "210001")).one() == (
            "Mme Lefèvre-Œuvray"
        )
    assert import_csv(rt.booking, GOOD.encode(), IMPORTER).encoding == "UTF-8"


def test_importing_twice_updates_without_duplicating(rt: Runtime) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    report = import_csv(rt.booking, GOOD.replace("pai", "sans_porc").encode(), IMPORTER)
    # Only E2's diet changed: the other two children, and the families, are said unchanged.
    assert (report.families_created, report.children_updated, report.children_unchanged) == (
        0, 1, 2
    )
    assert (report.families_updated, report.families_unchanged) == (0, 2)
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Child)) == 3
        assert s.scalars(select(Child.diet).where(Child.ref == "E2")).one() == "sans_porc"


def test_importing_the_same_file_again_says_nothing_changed(rt: Runtime) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    for dry_run in (True, False):
        again = import_csv(rt.booking, GOOD.encode(), IMPORTER, dry_run=dry_run)
        assert (again.families_created, again.families_updated, again.families_unchanged) == (
            0, 0, 2
        )
        assert (again.children_created, again.children_updated, again.children_unchanged) == (
            0, 0, 3
        )
        assert not again.family_changes and not again.child_changes


def test_a_diet_or_school_changed_after_the_lock_is_an_adjustment_beside_the_locked_figure(
    rt: Runtime,
) -> None:
    thu, fri = date(2026, 11, 26), date(2026, 11, 27)
    import_csv(rt.booking, GOOD.encode(), IMPORTER)  # meals from Thursday 26 on
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 30, tzinfo=PARIS)  # Thursday's cut-off
    anjou = rt.locks.lock_day("anjou-elem", thu)
    darcy = rt.locks.lock_day("darcy-elem", thu)
    assert anjou.counts["standard"] == 1 and darcy.counts["vegetarien"] == 1
    rt.clock.frozen = datetime(2026, 11, 23, 16, 0, tzinfo=PARIS)
    changed = (
        GOOD.replace("anjou-elem,standard", "anjou-elem,vegetarien")  # Léa
        .replace("darcy-elem,vegetarien", "anjou-elem,vegetarien")  # Zoé changes school
    )
    report = import_csv(rt.booking, changed.encode(), IMPORTER)
    assert report.adjustments == 4
    kitchen = KitchenService(rt.booking)
    day = kitchen.day(thu)
    site, other = day.site("anjou-elem"), day.site("darcy-elem")
    # The locked figures never move; the change is beside them, with its reason.
    assert site.counts == anjou.counts and other.counts == darcy.counts
    assert sorted((a.variant, a.delta) for a in site.adjustments) == [
        ("standard", -1), ("vegetarien", 1), ("vegetarien", 1),
    ]
    assert [(a.variant, a.delta) for a in other.adjustments] == [("vegetarien", -1)]
    # The kitchen is told the category; the line, naming the child, is for staff only.
    assert {(a.kind, a.label) for _, a in day.adjustments} == {
        ("import", "changement d'école ou de menu (import)")
    }
    with rt.sessions() as s:
        reasons = set(s.scalars(select(LockAdjustment.reason).where(
            LockAdjustment.variant == "standard")))
    assert reasons == {"import ligne 2 : Léa, régime standard → vegetarien"}
    # Locked figures plus adjustments are what the children booked add up to now.
    with rt.sessions() as s:
        live = queries.counts(s, thu, ["anjou-elem", "darcy-elem"])
        entries = list(s.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["diet_changed", "school_changed"])
        ).order_by(AuditEntry.action)))
    assert {v: n for v, n in site.adjusted.items() if n} == live["anjou-elem"]
    assert other.adjusted_total == 0 and "darcy-elem" not in live
    assert [(e.action, e.before, e.after) for e in entries] == [
        ("diet_changed", "standard", "vegetarien"),
        ("school_changed", "darcy-elem", "anjou-elem"),
    ]
    assert entries[0].detail == {"line": 2, "adjusted_days": ["2026-11-26"]}
    # A day not locked yet just counts the children as they are now: nothing to adjust.
    friday = kitchen.day(fri).site("anjou-elem")  # Zoé eats on Mondays and Thursdays only
    assert not friday.locked and (friday.counts["standard"], friday.counts["vegetarien"]) == (0, 1)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033380000000", "+33380000000"),
        ("03.80.74.51.51", "+33380745151"),
        # the trunk 0 written for abroad: it made "+330642880483", which no caller ID shows
        ("+33 (0)6 42 88 04 83", "+33642880483"),
        ("+33 06 42 88 04 83", "+33642880483"),
        ("0033 (0)3 80 74 51 51", "+33380745151"),
        ("+44 (0)20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "numbers"),
    [
        ("06 12 34 56 78", ("+33612345678",)),
        ("06 12 34 56 78, 03 80 00 00 00", ("+33612345678", "+33380000000")),
        ("06.12.34.56.78 | +33 3 80 00 00 00", ("+33612345678", "+33380000000")),
        ("06-12-34-56-78;0380000000", ("+33612345678", "+33380000000")),
        # files written before the comma: numbers without spaces, separated by spaces
        ("0612345678 +33380000000", ("+33612345678", "+33380000000")),
        ("+33380000000 0033612000000", ("+33380000000", "+33612000000")),
        ("0612345678, 06 12 34 56 78", ("+33612345678",)),
        ("", ()),
    ],
)
def test_phones_are_separated_by_commas_and_may_be_written_with_spaces(
    raw: str, numbers: tuple[str, ...]
) -> None:
    assert split_phones(raw) == numbers


def test_two_numbers_written_with_spaces_and_no_comma_say_how_to_separate_them() -> None:
    with pytest.raises(ValueError, match="séparez plusieurs numéros par une virgule"):
        split_phones("06 12 34 56 78 03 80 00 00 00")
    with pytest.raises(ValueError, match="numéro de téléphone invalide '12'"):
        split_phones("0612345678, 12")


def test_a_file_with_spaced_phones_imports(rt: Runtime) -> None:
    data = GOOD.replace("0612345678,Mme Martin", '"06 12 34 56 78, 03 80 00 00 01",Mme Martin')
    import_csv(rt.booking, data.encode(), IMPORTER)
    assert rt.booking.family_info("210001").phones == ("+33380000001", "+33612345678")


@pytest.mark.parametrize("code", ["188", "42", "7"])
def test_a_code_that_lost_its_leading_zeros_gets_a_hint(rt: Runtime, code: str) -> None:
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, GOOD.replace(",9876,", f",{code},").encode(), IMPORTER)
    assert err.value.errors == [(4, (
        "colonne pin : le code secret doit avoir 4 chiffres (un zéro initial perdu par le "
        "tableur ? « 188 » s'écrit « 0188 » : mettez la colonne pin au format Texte)"
    ))]


@pytest.mark.parametrize("code", ["12345", "12a", "١٢٣", "1 234"])
def test_other_wrong_codes_get_no_hint_about_leading_zeros(rt: Runtime, code: str) -> None:
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, GOOD.replace(",9876,", f",{code},").encode(), IMPORTER)
    assert err.value.errors == [(4, "colonne pin : le code secret doit avoir 4 chiffres")]


def test_a_code_of_other_digits_than_a_phone_s_is_refused(rt: Runtime) -> None:
    # Arabic-Indic digits are digits to Python, not keys of a phone: the family could never
    # type its code.
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, GOOD.replace(",9876,", ",١٢٣٤,").encode(), IMPORTER)
    assert err.value.errors == [(4, "colonne pin : le code secret doit avoir 4 chiffres")]


UNCLOSED = (
    "guillemet (\") non fermé sur cette ligne : la suite du fichier jusqu'au guillemet "
    "suivant est lue comme une seule valeur ; fermez-le ou retirez-le"
)


def test_a_quote_never_closed_is_named_on_its_line(rt: Runtime) -> None:
    bad = GOOD.replace(",Mme Martin,E2,", ',"Mme Martin,E2,')  # line 3 swallows line 4
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, bad.encode(), IMPORTER)
    assert err.value.errors == [(3, UNCLOSED)]
    assert str(err.value) == f"ligne 3 : {UNCLOSED}"


def test_a_quote_closed_on_a_later_line_is_named_where_it_opens(rt: Runtime) -> None:
    lines = GOOD.splitlines(keepends=True)
    lines[1] = lines[1].replace(",Léa,", ',"Léa,')
    lines[2] = lines[2].replace(",anjou-elem,pai,", ',anjou-elem",pai,')
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, "".join(lines).encode(), IMPORTER)
    assert err.value.errors == [(2, UNCLOSED)]


def test_a_line_with_too_few_columns_and_no_quote_says_how_many(rt: Runtime) -> None:
    bad = GOOD.replace(",Mme Martin,E2,Hugo,", ",Mme Martin,E2;Hugo,")
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, bad.encode(), IMPORTER)
    assert err.value.errors == [(3, "10 colonnes au lieu de 11")]


def test_quoted_fields_with_line_breaks_still_import(rt: Runtime) -> None:
    data = GOOD.replace(",Mme Martin,E1,", ',"Mme\nMartin",E1,', 1)
    data = data.replace(",Mme Martin,E2,", ',"Mme\nMartin",E2,')
    report = import_csv(rt.booking, data.encode(), IMPORTER)
    assert report.children_created == 3


def test_every_error_of_a_line_is_reported_with_its_column(rt: Runtime) -> None:
    bad = HEADER + "210001,12a4,06 12,Mme M,E1,Léa,M,31/02/2018,nowhere,sans porc,lun funday\n"
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, bad.encode(), IMPORTER)
    errors = err.value.errors
    school = errors.pop(3)
    assert school[0] == 2 and school[1].startswith("colonne school : école inconnue 'nowhere' (")
    assert "anjou-elem, " in school[1]  # the configured schools
    assert errors == [
        (2, "colonne pin : le code secret doit avoir 4 chiffres"),
        (2, "colonne phones : numéro de téléphone invalide '06 12' (séparez plusieurs "
            "numéros par une virgule : « 06 12 34 56 78, 03 80 00 00 00 »)"),
        (2, "colonne birth_date : date de naissance invalide '31/02/2018' "
            "(AAAA-MM-JJ ou JJ/MM/AAAA)"),
        (2, "colonne days : jour inconnu 'funday' (lun mar mer jeu ven)"),
    ]
    assert str(err.value).startswith("ligne 2, colonne pin : ")


def test_a_pattern_on_a_day_without_canteen_and_an_account_not_typable_are_refused(
    rt: Runtime
) -> None:
    # A Wednesday (no canteen in Dijon) or a weekend would book nothing and read as if it did;
    # an account number is typed on the phone's keypad and is part of the staff pages' paths.
    bad = (HEADER
           + "210001,1234,0612345678,Mme M,E1,Léa,M,,anjou-elem,standard,lun mer\n"
           + "210002,1234,0612345679,Mme N,E2,Ana,N,,anjou-elem,standard,samedi dimanche\n"
           + "=1+2/3,1234,0612345670,Mme O,E3,Tom,O,,anjou-elem,standard,lun\n")
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, bad.encode(), IMPORTER)
    assert err.value.errors == [
        (2, "colonne days : pas de cantine le mercredi à l'école 'anjou-elem'"),
        (3, "colonne days : pas de cantine le samedi ni le dimanche à l'école 'anjou-elem'"),
        (4, "colonne family : numéro de dossier '=1+2/3' : des chiffres seulement (il se tape "
            "sur le clavier du téléphone)"),
    ]
    assert families(rt) == 0


def test_diets_and_weekdays_are_matched_without_case_accents_or_spaces(rt: Runtime) -> None:
    data = (
        HEADER
        + "210001,1234,0612345678,Mme M,E1,Léa,M,,anjou-elem,Sans porc,Lundi MARDI jeu. Ven\n"
        + "210001,1234,0612345678,Mme M,E2,Hugo,M,,anjou-elem,Végétarien,\"lun, jeudi\"\n"
        + "210001,1234,0612345678,Mme M,E3,Zoé,M,,anjou-elem,PAI,\n"
    )
    import_csv(rt.booking, data.encode(), IMPORTER)
    with rt.sessions() as s:
        diets = {ref: diet for ref, diet in s.execute(select(Child.ref, Child.diet))}
    assert diets == {"E1": "sans_porc", "E2": "vegetarien", "E3": "pai"}
    assert rt.booking.state("210001", "E1", date(2026, 11, 27)).source == "subscription"
    assert rt.booking.state("210001", "E2", date(2026, 11, 26)).source == "subscription"
    assert rt.booking.state("210001", "E2", date(2026, 11, 27)).source == "none"


def test_only_an_unambiguous_diet_or_weekday_is_taken() -> None:
    variants = ("standard", "sans_porc", "vegetarien", "pai")
    assert match_diet("sans-porc", variants) == "sans_porc"
    assert match_diet("sans porc", ("sans_porc", "sansporc")) is None
    assert match_diet("halal", variants) is None
    assert [match_weekday(w) for w in ("lun", "Mercredi", "mar", "VEN.", "jeudi")] == [
        0, 2, 1, 4, 3]
    assert [match_weekday(w) for w in ("ma", "lunatic", "j", "")] == [None, None, None, None]


CHANGED = GOOD.replace("210002,9876,+33380000000 0033612000000",
                       "210002,4321,\"+33380000000, 07 00 00 00 01\"")


def audit(rt: Runtime, *actions: str) -> list[AuditEntry]:
    with rt.sessions() as s:
        return list(s.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id)))


def audit_ids(rt: Runtime) -> list[int]:
    with rt.sessions() as s:
        return list(s.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def test_a_changed_code_and_phones_are_reported_and_audited_never_the_code(rt: Runtime) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    with rt.sessions() as s:
        old_hash = s.scalars(select(Family.pin_hash).where(Family.account == "210002")).one()
    report = import_csv(rt.booking, CHANGED.encode(), IMPORTER)
    [change] = report.family_changes
    assert (change.account, change.line, change.pin_changed) == ("210002", 4, True)
    assert change.describe() == [
        "code secret modifié",
        "téléphone ajouté : +33 7 •• •• •• 01",
        "téléphone retiré : +33 6 •• •• •• 00",
    ]
    assert rt.booking.check_pin("210002", "4321").ok
    entries = audit(rt, "pin_changed", "phones_changed")
    assert [(e.action, e.family_id is not None, e.child_id) for e in entries] == [
        ("pin_changed", True, None), ("phones_changed", True, None)]
    assert entries[0].detail == {"line": 4, "label": "code secret modifié (import, ligne 4)"}
    assert entries[1].detail == {
        "line": 4, "label": "téléphones : ajouté : +33 7 •• •• •• 01 ; retiré : +33 6 •• •• •• 00",
        "added": ["+33 7 •• •• •• 01"], "removed": ["+33 6 •• •• •• 00"],
    }
    said = repr([(e.before, e.after, e.detail) for e in entries])
    assert "4321" not in said and "9876" not in said and old_hash not in said
    assert "0700000001" not in said and "+33700000001" not in said
    # The same file again changes nothing and says nothing: the code's hash stays as it was.
    with rt.sessions() as s:
        new_hash = s.scalars(select(Family.pin_hash).where(Family.account == "210002")).one()
    again = import_csv(rt.booking, CHANGED.encode(), IMPORTER)
    assert again.family_changes == [] and again.child_changes == []
    assert len(audit(rt, "pin_changed", "phones_changed")) == 2
    with rt.sessions() as s:
        assert s.scalars(select(Family.pin_hash).where(Family.account == "210002")).one() == (
            new_hash
        )


def test_a_dry_run_says_what_would_change_and_writes_nothing(rt: Runtime) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    before = audit_ids(rt)
    data = CHANGED.replace("E2,Hugo,Martin,04/05/2020,anjou-elem,pai,",
                           "E2,Hugo,Martin,04/05/2020,anjou-elem,standard,lun")
    report = import_csv(rt.booking, data.encode(), IMPORTER, dry_run=True)
    assert [c.account for c in report.family_changes] == ["210002"]
    [hugo] = report.child_changes
    assert hugo.describe() == [
        "régime pai → standard, dès demain (mardi 24 novembre), sans toucher aux jours "
        "déjà verrouillés pour la cuisine",
        "jours aucun → lun à partir du jeudi 26 novembre",
    ]
    assert rt.booking.check_pin("210002", "9876").ok
    assert rt.booking.family_info("210002").phones == ("+33380000000", "+33612000000")
    assert audit_ids(rt) == before
    with rt.sessions() as s:
        assert s.scalars(select(Child.diet).where(Child.ref == "E2")).one() == "pai"


def other_family(child: str, account: str) -> str:
    return (
        f"colonne child : l'enfant {child} appartient déjà au dossier {account} ; un changement "
        "de famille ne se fait pas par import : à traiter à part par le service (retirez cette "
        "ligne du fichier) ; s'il s'agit d'un autre enfant, donnez-lui un autre identifiant"
    )


def test_a_child_of_another_family_is_refused_and_nothing_is_written(rt: Runtime) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    before = audit_ids(rt)
    # The tester's file: a new account whose line names a known child (Léa, of 210001) under
    # another name and school. With a good line before it, the whole file is refused.
    data = (HEADER + "310001,1111,0699999999,M. Neuf,N1,Noé,Neuf,,anjou-elem,standard,lun\n"
            "310003,1234,0611223344,M. Y,E1,Léa,Autre,,darcy-elem,standard,lun\n")
    for dry_run in (True, False):
        with pytest.raises(ImportFailed) as err:
            import_csv(rt.booking, data.encode(), IMPORTER, dry_run=dry_run)
        assert err.value.errors == [(3, other_family("E1", "210001"))]
        assert str(err.value) == f"ligne 3, {other_family('E1', '210001')}"
    assert families(rt) == 2 and audit_ids(rt) == before
    info = rt.booking.family_info("210001")
    assert [(c.ref, c.first_name, c.last_name, c.school_id) for c in info.children] == [
        ("E2", "Hugo", "Martin", "anjou-elem"), ("E1", "Léa", "Martin", "anjou-elem")]
    # Two families of the file each naming the other's child: both lines, by line.
    swapped = (GOOD.replace("210002,9876,+33380000000 0033612000000,M. Petit,E3",
                            "210002,9876,+33380000000 0033612000000,M. Petit,E2")
               .replace("210001,1234,0612345678,Mme Martin,E2", "210001,1234,0612345678,"
                        "Mme Martin,E3"))
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, swapped.encode(), IMPORTER)
    assert err.value.errors == [(3, other_family("E3", "210002")),
                                (4, other_family("E2", "210001"))]


def test_a_child_of_another_family_is_reported_with_the_line_s_other_errors(
    rt: Runtime,
) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    data = HEADER + "310003,12,0611223344,M. Y,E3,Zoé,Autre,,darcy-elem,halal,lun\n"
    with pytest.raises(ImportFailed) as err:
        import_csv(rt.booking, data.encode(), IMPORTER)
    assert [m.split(" :")[0] for _, m in err.value.errors] == [
        "colonne pin", "colonne diet", "colonne child"]
    assert err.value.errors[-1] == (2, other_family("E3", "210002"))


def test_a_move_imported_while_the_scheduler_is_down_is_an_adjustment_beside_the_late_lock(
    rt: Runtime,
) -> None:
    """Thursday's cut-off passed at 13:00 with no scheduler running; at 13:10 an import moves
    Léa to the vegetarian menu. The late lock froze the import (vegetarian 1, no adjustment):
    the kitchen's 13:05 figure moved without a word. The lock now comes first, the move
    beside it; the preview takes it too, so as to announce the adjustments the import makes."""
    thu = date(2026, 11, 26)
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    rt.clock.frozen = datetime(2026, 11, 23, 13, 10, tzinfo=PARIS)
    changed = GOOD.replace("anjou-elem,standard", "anjou-elem,vegetarien")  # Léa
    assert import_csv(rt.booking, changed.encode(), IMPORTER, dry_run=True).adjustments == 2
    report = import_csv(rt.booking, changed.encode(), IMPORTER)
    assert report.adjustments == 2
    lock = rt.locks.get("anjou-elem", thu)
    assert lock is not None and lock.late and lock.counts["standard"] == 1
    assert sorted((a["variant"], a["delta"]) for a in lock.adjustments) == [
        ("standard", -1), ("vegetarien", 1),
    ]


def test_the_import_itself_refuses_a_child_moved_to_another_family_since_the_check(
    rt: Runtime,
) -> None:
    # Checked while E9 was not known (the preview), confirmed after another import gave E9 to
    # another family: the import's own transaction refuses it, by line, and writes nothing.
    data = HEADER + "310001,1111,0699999999,M. Neuf,E9,Noé,Neuf,,anjou-elem,standard,lun\n"
    rows = check_file(data, school_days(rt.settings), rt.settings.menu_variants).rows
    import_csv(rt.booking, (HEADER + "310002,2222,0688888888,Mme Autre,E9,Noé,Autre,,"
                            "anjou-elem,standard,\n").encode(), IMPORTER)
    before = audit_ids(rt)
    with pytest.raises(ImportFailed) as err:
        apply_rows(rt.booking, rows, IMPORTER)
    assert err.value.errors == [(2, other_family("E9", "310002"))]
    assert families(rt) == 1 and audit_ids(rt) == before


def test_a_known_child_s_new_name_and_birth_date_are_said_and_audited(rt: Runtime) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    data = (GOOD.replace("E1,Léa,Martin,2018-03-04", "E1,Léa-Rose,Martin-Petit,2018-04-03")
            .replace("E2,Hugo,Martin,04/05/2020", "E2,Hugues,Martin,04/05/2020")
            .replace("E3,Zoé,Petit,,", "E3,Zoé,Petit,01/02/2019,"))
    trial = import_csv(rt.booking, data.encode(), IMPORTER, dry_run=True)
    assert [(c.ref, c.name, c.describe()) for c in trial.child_changes] == [
        ("E1", "Léa-Rose", ["prénom modifié : Léa → Léa-Rose", "nom modifié : Martin → "
                            "Martin-Petit", "date de naissance modifiée : 04/03/2018 → 03/04/2018"]),
        ("E2", "Hugues", ["prénom modifié : Hugo → Hugues"]),
        ("E3", "Zoé", ["date de naissance modifiée : — → 01/02/2019"]),
    ]
    assert audit(rt, "child_renamed", "birth_date_changed") == []  # rolled back
    report = import_csv(rt.booking, data.encode(), IMPORTER)
    assert [c.describe() for c in report.child_changes] == [
        c.describe() for c in trial.child_changes]
    with rt.sessions() as s:
        ids = {ref: id_ for ref, id_ in s.execute(select(Child.ref, Child.id))}
        family_of = {id_: fam for id_, fam in s.execute(select(Child.id, Child.family_id))}
    entries = audit(rt, "child_renamed", "birth_date_changed")
    assert [(e.action, e.child_id, e.before, e.after, e.detail) for e in entries] == [
        ("child_renamed", ids["E1"], "Léa Martin", "Léa-Rose Martin-Petit", {
            "line": 2, "label": "prénom modifié : Léa → Léa-Rose ; nom modifié : Martin → "
                               "Martin-Petit",
            "first_name": ["Léa", "Léa-Rose"], "last_name": ["Martin", "Martin-Petit"]}),
        ("birth_date_changed", ids["E1"], "2018-03-04", "2018-04-03", {
            "line": 2, "label": "date de naissance modifiée : 04/03/2018 → 03/04/2018"}),
        ("child_renamed", ids["E2"], "Hugo Martin", "Hugues Martin", {
            "line": 3, "label": "prénom modifié : Hugo → Hugues",
            "first_name": ["Hugo", "Hugues"]}),
        ("birth_date_changed", ids["E3"], None, "2019-02-01", {
            "line": 4, "label": "date de naissance modifiée : — → 01/02/2019"}),
    ]
    assert all(e.family_id == family_of[e.child_id] for e in entries)
    assert [c.first_name for c in rt.booking.family_info("210001").children] == [
        "Hugues", "Léa-Rose"]
    # The same file again changes nothing and says nothing.
    assert import_csv(rt.booking, data.encode(), IMPORTER).child_changes == []
    assert len(audit(rt, "child_renamed", "birth_date_changed")) == 4


def test_a_dry_run_names_the_locked_days_a_school_or_diet_change_adjusts(rt: Runtime) -> None:
    thu = date(2026, 11, 26)
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    rt.clock.frozen = datetime(2026, 11, 23, 13, 0, 30, tzinfo=PARIS)  # Thursday's cut-off
    rt.locks.lock_day("anjou-elem", thu)
    rt.locks.lock_day("darcy-elem", thu)
    rt.clock.frozen = datetime(2026, 11, 23, 16, 0, tzinfo=PARIS)
    changed = GOOD.replace("darcy-elem,vegetarien", "anjou-elem,sans porc")  # Zoé
    trial = import_csv(rt.booking, changed.encode(), IMPORTER, dry_run=True)
    [zoe] = trial.child_changes
    assert (zoe.ref, zoe.adjusted_days, trial.adjustments) == ("E3", [thu], 2)
    assert zoe.describe() == [
        "école darcy-elem → anjou-elem et régime vegetarien → sans_porc, dès demain "
        "(mardi 24 novembre), y compris le jeudi 26 novembre, jour déjà verrouillé pour la "
        "cuisine : il recevra un ajustement"
    ]
    assert not KitchenService(rt.booking).day(thu).adjustments  # rolled back
    report = import_csv(rt.booking, changed.encode(), IMPORTER)
    assert report.adjustments == 2 and report.child_changes[0].adjusted_days == [thu]
    assert len(KitchenService(rt.booking).day(thu).adjustments) == 2


STAFF = Actor("staff", "marie", "staff")


def test_a_move_imported_after_lunch_leaves_today_s_served_meal_where_the_kitchen_sent_it(
    rt: Runtime,
) -> None:
    from tests.factories import KidSpec, make_family

    mon, tue, thu = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 26)
    make_family(rt, kids=[KidSpec("E1", "Léa")])  # Anjou, standard, Mon Tue Thu Fri
    rt.clock.frozen = datetime(2026, 11, 23, 13, 5, tzinfo=PARIS)  # the tester's 13:05
    for school in ("anjou-elem", "darcy-elem"):
        for day in (mon, tue, thu):  # today's lunch, served; Tuesday's and Thursday's to come
            rt.locks.lock_day(school, day)
    data = HEADER + "210001,1234,0612345678,Famille 210001,E1,Léa,Test,,darcy-elem,vegetarien,"
    data += "lun mar jeu ven\n"
    report = import_csv(rt.booking, data.encode(), IMPORTER)
    [lea] = report.child_changes
    assert (lea.moved_on, lea.adjusted_days, report.adjustments) == (tue, [tue, thu], 4)
    assert lea.describe() == [
        "école anjou-elem → darcy-elem et régime standard → vegetarien, dès demain (mardi 24 "
        "novembre), y compris 2 jours déjà verrouillés pour la cuisine, qui recevront un "
        "ajustement : mardi 24 novembre, jeudi 26 novembre"
    ]
    kitchen = KitchenService(rt.booking)
    today = kitchen.day(mon)
    # Today's lunch stays as cooked and served: Léa's standard meal at Anjou, nothing beside it.
    assert today.adjustments == []
    assert today.site("anjou-elem").counts["standard"] == 1
    assert today.site("darcy-elem").counts["vegetarien"] == 0
    for day in (tue, thu):
        assert sorted((s.school, a.variant, a.delta) for s, a in kitchen.day(day).adjustments) == [
            ("anjou-elem", "standard", -1), ("darcy-elem", "vegetarien", 1)]
    with rt.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "school_changed")).one()
    assert entry.detail == {"line": 2, "adjusted_days": ["2026-11-24", "2026-11-26"]}
    # Léa went home ill before lunch: the forced cancellation of today takes her meal out
    # where the kitchen counted it (Anjou, standard), not at her school and menu now.
    [res] = rt.booking.cancel("210001", [mon], STAFF, override_reason="malade, partie à 10 h")
    assert res.adjusted
    today = kitchen.day(mon)
    assert [(s.school, a.variant, a.delta) for s, a in today.adjustments] == [
        ("anjou-elem", "standard", -1)]
    assert today.site("anjou-elem").adjusted["standard"] == 0
    assert today.site("darcy-elem").adjusted["vegetarien"] == 0  # never below what was made
    # Thursday's meal was moved to Darcy by the import: cancelled there, and booked back there.
    rt.booking.cancel("210001", [thu], STAFF, override_reason="sortie scolaire")
    assert kitchen.day(thu).site("darcy-elem").adjusted["vegetarien"] == 0
    assert kitchen.day(thu).site("anjou-elem").adjusted["standard"] == 0
    rt.booking.book("210001", [thu], STAFF, override_reason="sortie annulée")
    assert kitchen.day(thu).site("darcy-elem").adjusted["vegetarien"] == 1


def test_a_forced_change_of_a_past_day_after_a_diet_change_leaves_the_kitchen_alone(
    rt: Runtime,
) -> None:
    # Locked on Thursday 19 with the standard menu; the import makes Léa vegetarian on Monday;
    # then Thursday's meal is cancelled (illness reported late): a served day, billing only.
    # (It took a vegetarian meal off that was never counted, below 0.)
    from tests.factories import KidSpec, make_family

    thu = date(2026, 11, 19)
    make_family(rt, kids=[KidSpec("E1", "Léa")])
    rt.locks.lock_day("anjou-elem", thu)
    data = HEADER + "210001,1234,0612345678,Famille 210001,E1,Léa,Test,,anjou-elem,vegetarien,"
    data += "lun mar jeu ven\n"
    import_csv(rt.booking, data.encode(), IMPORTER)
    rt.booking.cancel("210001", [thu], STAFF, override_reason="maladie signalée à l'école")
    site = KitchenService(rt.booking).day(thu).site("anjou-elem")
    assert not site.adjustments
    assert (site.adjusted["standard"], site.adjusted["vegetarien"]) == (1, 0)


def test_many_locked_days_are_said_as_a_count_and_a_range() -> None:
    from restomairie.booking.importer import ChildChange

    days = [date(2026, 11, d) for d in (24, 26, 27, 30)] + [date(2026, 12, d) for d in (1, 3)]
    change = ChildChange("E1", 2, "Léa", "210001", diet=("standard", "pai"),
                         moved_on=date(2026, 11, 24), adjusted_days=days)
    assert change.describe() == [
        "régime standard → pai, dès demain (mardi 24 novembre), y compris 6 jours déjà "
        "verrouillés pour la cuisine, du mardi 24 novembre au jeudi 3 décembre, qui recevront "
        "un ajustement"
    ]
    change.adjusted_days = days[:2]
    assert change.describe()[0].endswith(
        "y compris 2 jours déjà verrouillés pour la cuisine, qui recevront un ajustement : "
        "mardi 24 novembre, jeudi 26 novembre")


# ------------------------------------------------------------------ hints for files gone wrong
def _errors(settings: Settings, text: str) -> list[tuple[int, str]]:
    with pytest.raises(ImportFailed) as err:
        check_file(text.encode(), school_days(settings), settings.menu_variants)
    return err.value.errors


def test_the_language_is_read_in_any_case(settings: Settings) -> None:
    text = (HEADER.rstrip("\n") + ",language\n"
            "300001,1234,0612345678,Mme A,C1,Léa,A,,anjou-elem,standard,lun,EN\n"
            "300002,1234,0612345679,Mme B,C2,Hugo,B,,anjou-elem,standard,lun,Fr\n")
    rows = check_file(text.encode(), school_days(settings), settings.menu_variants).rows
    assert [r.language for r in rows] == ["en", "fr"]


def test_a_phone_that_lost_its_leading_zero_says_so(settings: Settings) -> None:
    [(line, message)] = _errors(
        settings, HEADER + "300001,1234,612345678,Mme A,C1,Léa,A,,anjou-elem,standard,lun\n"
    )
    assert line == 2
    assert message == (
        "colonne phones : numéro de téléphone invalide '612345678' (un zéro initial perdu par le "
        "tableur ? « 612345678 » s'écrit « 0612345678 » : mettez la colonne phones au format "
        "Texte)"
    )


def test_an_unquoted_comma_between_two_phones_says_to_quote_the_field(settings: Settings) -> None:
    [(line, message)] = _errors(settings, HEADER + (
        "300001,1234,06 12 34 56 78, 03 80 00 00 00,Mme A,C1,Léa,A,,anjou-elem,standard,lun\n"
    ))
    assert line == 2 and message.startswith("12 colonnes au lieu de 11 : le champ phones")
    assert "mettez-le entre guillemets" in message
    # One column too many elsewhere: the count only.
    [(_, other)] = _errors(settings, HEADER + (
        "300001,1234,0612345678,Mme A,C1,Léa,A,,anjou-elem,standard,lun,x\n"
    ))
    assert other == "12 colonnes au lieu de 11"


def test_a_file_without_any_expected_column_says_the_separator_was_not_recognised(
    settings: Settings,
) -> None:
    tabs = HEADER.replace(",", "\t") + "300001\t1234\n"
    [(line, message)] = _errors(settings, tabs)
    assert line == 1 and message.startswith("aucune colonne attendue dans la première ligne")
    assert "le séparateur ou l'encodage n'est pas reconnu" in message
    assert "colonnes manquantes" not in message


def test_a_misspelt_column_is_named_with_the_expected_one(settings: Settings) -> None:
    [(line, message)] = _errors(
        settings, HEADER.replace("family,", "famille,") + "300001,1234,0612345678,Mme A,C1,"
        "Léa,A,,anjou-elem,standard,lun\n"
    )
    assert (line, message) == (
        1, "colonnes manquantes : family ; colonne(s) inattendue(s) : 'famille' (pour 'family' ?)"
    )


def test_a_repeated_child_id_is_said_even_when_its_first_line_has_another_error(
    settings: Settings,
) -> None:
    errors = _errors(settings, HEADER + (
        "300001,1234,0612345679,M. D,E3,Paul,D,31/02/2019,anjou-elem,standard,lun\n"
        "300001,1234,0612345679,M. D,E3,Paul,D,2019-01-01,anjou-elem,standard,mar\n"
    ))
    assert errors == [
        (2, "colonne birth_date : date de naissance invalide '31/02/2019' (AAAA-MM-JJ ou "
            "JJ/MM/AAAA)"),
        (3, "colonne child : enfant 'E3' déjà présent ligne 2"),
    ]


def test_a_family_s_phones_in_another_order_are_the_same_phones(settings: Settings) -> None:
    text = HEADER.replace(",", ";") + (
        "300001;1234;06 12 34 56 78, 03 80 00 00 00;Mme A;Q1;A;B;;anjou-elem;standard;lun\n"
        "300001;1234;03 80 00 00 00, 0612345678;Mme A;Q2;C;B;;anjou-elem;standard;lun\n"
    )
    rows = check_file(text.encode(), school_days(settings), settings.menu_variants).rows
    assert [set(r.phones) for r in rows] == [{"+33612345678", "+33380000000"}] * 2


def test_an_unknown_column_is_refused_with_the_one_it_may_stand_for(settings: Settings) -> None:
    line = "300001,1234,0612345678,Mme A,C1,Léa,A,,anjou-elem,standard,lun,en\n"
    [(number, message)] = _errors(settings, HEADER.rstrip("\n") + ",langue\n" + line)
    assert number == 1
    assert message.startswith("colonne(s) inconnue(s) : 'langue' (pour 'language' ?) ; "
                              "colonnes attendues : family, pin,")
    # A column like none of the import's is the town's own ("remarque"): still read past.
    text = HEADER.rstrip("\n") + ",remarque\n" + line.replace(",en\n", ",à rappeler\n")
    [row] = check_file(text.encode(), school_days(settings), settings.menu_variants).rows
    assert row.child == "C1"


def test_a_school_is_read_in_any_case(settings: Settings) -> None:
    text = HEADER + "300001,1234,0612345678,Mme A,C1,Léa,A,,Anjou-Elem,standard,lun\n"
    [row] = check_file(text.encode(), school_days(settings), settings.menu_variants).rows
    assert row.school == "anjou-elem"


def test_a_line_written_with_the_other_separator_says_so(settings: Settings) -> None:
    [(line, message)] = _errors(settings, HEADER.replace(",", ";") + (
        "300001,1234,06 12 34 56 78,Mme A,C1,Léa,A,,anjou-elem,standard,lun\n"
    ))
    assert (line, message) == (2, (
        "1 colonnes au lieu de 11 : cette ligne est séparée par des virgules, l'en-tête par des "
        "points-virgules ; utilisez le même séparateur dans tout le fichier"
    ))


# ------------------------------------------------------------------ said, not refused
def test_a_phone_of_another_family_and_the_same_child_under_a_new_id_are_said(
    rt: Runtime,
) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    data = HEADER + (
        "210009,1111,06 12 34 56 78,M. Martin,E9,Léa,MARTIN,04/03/2018,anjou-elem,standard,lun\n"
    )
    for dry_run in (True, False):
        report = import_csv(rt.booking, data.encode(), IMPORTER, dry_run=dry_run)
        assert report.warnings[:2] == [
            "téléphone +33 6 •• •• •• 78 (ligne 2, dossier 210009) partagé par les dossiers "
            "210001, 210009 : un appel de ce numéro n'identifie plus la famille, le numéro de "
            "dossier y est demandé ; si ce n'est pas voulu, corrigez le numéro",
            "Léa MARTIN, né(e) le 04/03/2018 : E1 du dossier 210001 et E9 du dossier 210009 "
            "(ligne 2) ; le même enfant sous deux identifiants serait compté et facturé deux "
            "fois",
        ]
    # The same file again: still shared, still said (nothing in the file says it is meant).
    assert import_csv(rt.booking, data.encode(), IMPORTER).warnings[0].startswith("téléphone")


def test_children_and_families_left_out_of_a_file_are_said_and_keep_their_subscriptions(
    rt: Runtime,
) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    only_hugo = HEADER + GOOD.splitlines(keepends=True)[2]
    report = import_csv(rt.booking, only_hugo.encode(), IMPORTER)
    assert report.warnings == [
        "dossier 210001 : Léa Martin (E1) absent(e) du fichier, son abonnement continue (repas "
        "comptés et facturés) ; pour l'arrêter, laissez la colonne days vide sur sa ligne ou "
        "changez-le dans sa fiche",
        "1 dossier(s) avec des abonnements en cours absent(s) du fichier, inchangé(s) : 210002",
    ]
    assert rt.booking.state("210001", "E1", date(2026, 11, 26)).source == "subscription"
    assert import_csv(rt.booking, GOOD.encode(), IMPORTER).warnings == []


def test_end_missing_ends_the_subscriptions_of_children_left_out_from_the_first_open_day(
    rt: Runtime,
) -> None:
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    rt.booking.book("210002", [date(2026, 11, 27)], IMPORTER, children=["E3"])
    only_hugo = HEADER + GOOD.splitlines(keepends=True)[2]
    said = [
        "dossier 210001 : Léa Martin (E1), jours lun mar jeu ven → aucun à partir du jeudi 26 "
        "novembre",
        "dossier 210002 : Zoé Petit (E3), jours lun jeu → aucun à partir du jeudi 26 novembre",
    ]
    # Zoé's Friday, booked by hand, stays booked (and billed) past her subscription's end:
    # said to check, as the staff's subscription form says it.
    kept = ["Reste réservé à part : vendredi 27 novembre (Zoé Petit, E3, dossier 210002)"]
    dry = import_csv(rt.booking, only_hugo.encode(), IMPORTER, dry_run=True, end_missing=True)
    assert (dry.ended, dry.warnings) == (said, kept)
    assert rt.booking.state("210001", "E1", date(2026, 11, 26)).source == "subscription"
    report = import_csv(rt.booking, only_hugo.encode(), IMPORTER, end_missing=True)
    assert (report.ended, report.warnings) == (said, kept)
    # From the first day that can still change; nothing deleted (the children, a day booked
    # one by one, the subscriptions' history for billing).
    assert rt.booking.state("210001", "E1", date(2026, 11, 26)).source == "none"
    assert rt.booking.state("210002", "E3", date(2026, 11, 26)).source == "none"
    assert rt.booking.state("210002", "E3", date(2026, 11, 27)).source == "booked"
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Child)) == 3
    assert [e.after for e in audit(rt, "unsubscribe")] == ["aucun", "aucun"]
    # Ended, so no longer said as running when the same file comes again; nothing more to end.
    again = import_csv(rt.booking, only_hugo.encode(), IMPORTER, end_missing=True)
    assert (again.ended, again.warnings) == ([], [])
    assert import_csv(rt.booking, only_hugo.encode(), IMPORTER).warnings == []


def test_days_booked_or_cancelled_by_hand_apart_from_a_pattern_the_import_changes_are_said(
    rt: Runtime,
) -> None:
    # The staff's subscription form names the single days booked or cancelled by hand that keep
    # their state although the new pattern would not give it (« Reste réservé à part : … »);
    # an import changing or ending the same patterns said nothing, and a meal booked by hand
    # stayed booked, and billed, after the subscription it went with had ended.
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    tue_1, thu_3, fri_4, tue_8 = (date(2026, 12, d) for d in (1, 3, 4, 8))
    martin, petit = Actor("family", "210001", "phone"), Actor("family", "210002", "phone")
    rt.booking.cancel("210001", [thu_3, fri_4], martin, children=["E1"])
    rt.booking.book("210001", [tue_1, tue_8], martin, children=["E2"])
    rt.booking.book("210002", [date(2026, 11, 27)], petit, children=["E3"])
    # Léa: lun mar jeu ven → lun jeu; Hugo: none → lun; Zoé: lun jeu → none (days left empty).
    changed = (GOOD.replace("lun mar jeu ven", "lun jeu").replace("pai,\n", "pai,lun\n")
               .replace("vegetarien,lun jeu", "vegetarien,"))
    kept = [
        "Reste annulé à part : jeudi 3 décembre (Léa Martin, E1, dossier 210001, ligne 2)",
        "Restent réservés à part : mardi 1er décembre et mardi 8 décembre (Hugo Martin, E2, "
        "dossier 210001, ligne 3)",
        "Reste réservé à part : vendredi 27 novembre (Zoé Petit, E3, dossier 210002, ligne 4)",
    ]
    # Léa's cancelled Friday is what lun jeu gives anyway: not named. The preview says it too.
    assert import_csv(rt.booking, changed.encode(), IMPORTER, dry_run=True).warnings == kept
    assert import_csv(rt.booking, changed.encode(), IMPORTER).warnings == kept
    assert not rt.booking.state("210001", "E1", thu_3).booked
    assert rt.booking.state("210001", "E2", tue_1).source == "booked"
    assert rt.booking.state("210002", "E3", date(2026, 11, 27)).source == "booked"
    # The same file again changes no pattern: nothing to check.
    assert import_csv(rt.booking, changed.encode(), IMPORTER).warnings == []


def test_an_import_in_the_summer_leaves_the_locked_rentree_alone_and_starts_after_the_calendar(
    rt: Runtime,
) -> None:
    # The shipped calendar ends with the rentrée, Thursday 2 September 2027, whose deadline and
    # lock are Thursday 1 July at 13:00. An import in August found no day of the calendar open
    # and started its changes "tomorrow": the 2 September meals the kitchen had locked were
    # ended for the children left out, and booked for a new child, without a word to the
    # kitchen.
    rentree = date(2027, 9, 2)
    import_csv(rt.booking, GOOD.encode(), IMPORTER)
    rt.clock.frozen = datetime(2027, 7, 1, 13, 0, tzinfo=PARIS)
    assert ("anjou-elem", rentree) in {(r.school_id, r.day) for r in rt.locks.lock_due()}
    locked = KitchenService(rt.booking).day(rentree).site("anjou-elem").counts
    rt.clock.frozen = datetime(2027, 8, 20, 10, 0, tzinfo=PARIS)
    newcomer = HEADER + (
        "210003,4831,0611111111,M. Neuf,E9,Paul,Neuf,,anjou-elem,standard,lun mar jeu ven\n"
    )
    report = import_csv(rt.booking, newcomer.encode(), IMPORTER, end_missing=True)
    # Friday 3 September's deadline is known although the day is not (two operating days
    # back: 2 September, then Friday 2 July) and has passed: the changes start on Monday 6.
    assert report.ended[0] == (
        "dossier 210001 : Léa Martin (E1), jours lun mar jeu ven → aucun à partir du lundi 6 "
        "septembre"
    )
    assert report.warnings[-1] == (
        "aucun jour du calendrier scolaire utilisé, qui s'arrête le jeudi 2 septembre, ne peut "
        "plus changer (dates limites passées, effectifs transmis à la cuisine) : les "
        "abonnements créés, changés ou arrêtés par cet import prennent effet à partir du lundi "
        "6 septembre, après la fin du calendrier ; mettez-le à jour (restomairie "
        "calendar-file, voir le README)"
    )
    assert rt.booking.state("210001", "E1", rentree).source == "subscription"
    assert rt.booking.state("210003", "E9", rentree).source == "none"
    day = KitchenService(rt.booking).day(rentree).site("anjou-elem")
    assert day.counts == locked and not day.adjustments
    with rt.sessions() as s:
        assert queries.counts(s, rentree, ["anjou-elem"])["anjou-elem"] == {
            v: n for v, n in locked.items() if n
        }
    # The staff's subscription form, by the same rule, refuses the rentrée and Friday 3 (it
    # took that one: no day of the calendar to check) and accepts the import's first day.
    with pytest.raises(PastDeadline):
        rt.booking.set_subscription("210003", "E9", [0], rentree, STAFF)
    with pytest.raises(PastDeadline) as late:
        rt.booking.set_subscription("210003", "E9", [0], date(2027, 9, 3), STAFF)
    assert str(late.value) == (
        "Trop tard pour le vendredi 3 septembre : il fallait modifier l'abonnement avant le "
        "vendredi 2 juillet à 13 heures."
    )
    rt.booking.set_subscription("210003", "E9", [0], date(2027, 9, 6), STAFF)


# --------------------------------------------------------------------------- weak codes
WEAK_SAID = ("code secret trop facile à deviner (quatre fois le même chiffre, des chiffres qui se "
             "suivent ou une paire répétée) pour {n} dossier(s) : {named} ; importé tel quel : "
             "demandez à la famille d'en choisir un autre et importez-le")


@pytest.mark.parametrize(("pin", "weak"), [
    ("0000", True), ("7777", True), ("1234", True), ("6789", True), ("9876", True),
    ("3210", True), ("1212", True), ("0101", True),
    ("1951", False), ("0188", False), ("4826", False), ("1235", False), ("1221", False),
    ("2468", False), ("123", False),
])
def test_a_weak_code_is_one_a_guesser_tries_first(pin: str, weak: bool) -> None:
    from restomairie.booking.importer import weak_pin

    assert weak_pin(pin) is weak


def test_a_weak_code_set_by_the_import_is_said_to_check_never_the_code_itself(
    rt: Runtime,
) -> None:
    """A family given 0000 by the file was imported without a word: five tries at the
    lockout's limit find it."""
    data = (HEADER
            + "210001,0000,0612345678,Mme Martin,E1,Léa,Martin,,anjou-elem,standard,lun\n"
            + "210002,4826,0698765432,M. Petit,E2,Zoé,Petit,,darcy-elem,standard,lun\n"
            + "210003,1212,0611111111,M. Roy,E3,Tom,Roy,,darcy-elem,standard,lun\n")
    for dry_run in (True, False):
        report = import_csv(rt.booking, data.encode(), IMPORTER, dry_run=dry_run)
        assert WEAK_SAID.format(n=2, named="210001 (ligne 2), 210003 (ligne 4)") in report.warnings
        assert not any("0000" in w or "1212" in w for w in report.warnings)
    assert rt.booking.check_pin("210001", "0000").ok  # said, not refused
    # The same codes again: already said when they were set, not at every import.
    assert not any("trop facile" in w for w in import_csv(rt.booking, data.encode(),
                                                         IMPORTER).warnings)
    # A code changed to a weak one is said; to a good one, nothing.
    changed = data.replace("210002,4826", "210002,2345").replace("210001,0000", "210001,5190")
    report = import_csv(rt.booking, changed.encode(), IMPORTER)
    assert [w for w in report.warnings if "trop facile" in w] == [
        WEAK_SAID.format(n=1, named="210002 (ligne 3)")]


def test_an_import_starts_a_pattern_by_the_town_hall_s_rule_as_the_staff_form_does(
    engine: Engine,
) -> None:
    # Villepreux: 48 working hours for the families, "8 jours via la mairie". Monday 23
    # November, 9:30: the import started Nathan's new pattern on Thursday 26 (the families'
    # rule), a start the staff's subscription form refuses; an import is the town hall's.
    from restomairie.clock import Clock
    from restomairie.config import load_config

    settings = load_config("villepreux", environ={})
    row = "210500,1951,0642880483,Mme Martin,E00003,Nathan,Martin,2015-05-27,prieure,standard,"
    early = Clock(tz=PARIS, frozen=datetime(2026, 10, 1, 9, 30, tzinfo=PARIS))
    first = Runtime.build(settings=settings, clock=early, engine=engine)
    first.sync_schools()
    import_csv(first.booking, (HEADER + row + "lun jeu\n").encode(), IMPORTER)
    clock = Clock(tz=PARIS, frozen=datetime(2026, 11, 23, 9, 30, tzinfo=PARIS))
    rt = Runtime.build(settings=settings, clock=clock, engine=engine)
    assert rt.booking.state("210500", "E00003", date(2026, 11, 26)).source == "subscription"
    assert rt.booking.state("210500", "E00003", date(2026, 11, 27)).source == "none"
    changed = (HEADER + row + "lun mar jeu ven\n").encode()
    [nathan] = import_csv(rt.booking, changed, IMPORTER, dry_run=True).child_changes
    assert nathan.describe() == ["jours lun jeu → lun mar jeu ven à partir du vendredi 4 décembre"]
    # The staff's form: Thursday 3 December is too late at the town hall, Friday 4 is not.
    staff = Actor("staff", "marie", "staff")
    with pytest.raises(PastDeadline, match="avant le dimanche 22 novembre à minuit"):
        rt.booking.set_subscription("210500", "E00003", [0, 1, 3, 4], date(2026, 12, 3), staff)
    import_csv(rt.booking, changed, IMPORTER)
    # The old pattern up to Thursday 3 December, the new one from Friday 4.
    assert rt.booking.state("210500", "E00003", date(2026, 11, 27)).source == "none"
    assert rt.booking.state("210500", "E00003", date(2026, 12, 1)).source == "none"
    assert rt.booking.state("210500", "E00003", date(2026, 12, 3)).source == "subscription"
    assert rt.booking.state("210500", "E00003", date(2026, 12, 4)).source == "subscription"
    assert rt.booking.state("210500", "E00003", date(2026, 12, 8)).source == "subscription"
