"""The Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from restomairie.migrate import upgrade
from restomairie.models import Base
from tests.conftest import BACKENDS, drop_schema, new_engine


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_the_models(backend: str, tmp_path: Path) -> None:
    engine, schema = new_engine(backend, tmp_path)
    try:
        upgrade(engine)
        upgrade(engine)  # running it again is harmless
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_calls_the_line_ended_at_identification_are_no_longer_abandons(
    backend: str, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import select

    from restomairie.migrate import alembic_config
    from restomairie.models import Call, CallEvent

    engine, schema = new_engine(backend, tmp_path)
    hung_up = "<Response><Say>Ce code n'est pas correct.</Say><Hangup /></Response>"
    asked = "<Response><Gather><Say>Tapez votre code.</Say></Gather></Response>"
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    calls = {  # CallSid: the last step (step, outcome, response)
        "CAcodes": ("pin", "wrong_code", hung_up),  # the third wrong code: the line hung up
        "CAaccount": ("account", "unknown_account", hung_up),
        "CAgone": ("pin", "wrong_code", asked),  # one wrong code, then the caller hung up
        "CAmenu": ("action", "not_understood", hung_up),  # past the code: still an abandon
    }
    try:
        upgrade(engine, "0005")
        with engine.begin() as conn:
            for i, (sid, (step, outcome, response)) in enumerate(calls.items(), 1):
                conn.execute(Call.__table__.insert().values(
                    id=i, call_sid=sid, started_at=at, language="fr", step="end", attempts=0,
                    state={}, outcome="abandoned"))
                conn.execute(CallEvent.__table__.insert().values(
                    call_id=i, at=at, request_key=f"k{i}", step=step, outcome=outcome,
                    response=response))

        def outcomes() -> dict[str, str]:
            with engine.connect() as conn:
                return {sid: o for sid, o in conn.execute(select(Call.call_sid, Call.outcome))}

        upgrade(engine)
        assert outcomes() == {"CAcodes": "ident_failed", "CAaccount": "ident_failed",
                              "CAgone": "abandoned", "CAmenu": "abandoned"}
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
        assert set(outcomes().values()) == {"abandoned"}
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_import_tables_come_and_go_with_0007(backend: str, tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from restomairie.migrate import alembic_config

    engine, schema = new_engine(backend, tmp_path)
    try:
        upgrade(engine)
        assert {"import_pending", "import_jobs"} <= set(inspect(engine).get_table_names())
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
        tables = set(inspect(engine).get_table_names())
        assert not {"import_pending", "import_jobs"} & tables and "calls" in tables
        upgrade(engine, "0007_import_jobs")
        assert {"import_pending", "import_jobs"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_0008_deletes_the_files_waiting_with_their_codes_in_clear(
    backend: str, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from alembic import command
    from sqlalchemy import func, select

    from restomairie.migrate import alembic_config
    from restomairie.models import PendingImport

    engine, schema = new_engine(backend, tmp_path)
    at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def wait(token: str) -> None:
        with engine.begin() as conn:
            conn.execute(PendingImport.__table__.insert().values(
                token_hash=token, owner="staff:admin", filename="familles.csv",
                data=b"family;pin;...\n210001;1234;...\n", created_at=at,
                expires_at=at + timedelta(hours=1)))

    def waiting() -> int:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(PendingImport)) or 0)

    try:
        upgrade(engine, "0007_import_jobs")
        wait("a" * 64)
        upgrade(engine)
        assert waiting() == 0
        wait("b" * 64)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0007_import_jobs")
        assert waiting() == 0  # the code before 0008 reads none of the new files
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_0009_masks_the_numbers_training_calls_left_in_the_audit_log(
    backend: str, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from restomairie.models import AuditEntry

    engine, schema = new_engine(backend, tmp_path)
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    details = {"training_call": [{"from": "+33612345678"}, {"from": "anonymous"},
                                 {"from": "+33 6 •• •• •• 78", "account": "210001"}],
               "cancel": [{"from": "+33612345678"}]}  # not a training call's: left as it is
    try:
        upgrade(engine, "0008_pending_codes_sealed")
        with engine.begin() as conn:
            for action, kept in details.items():
                for detail in kept:
                    conn.execute(AuditEntry.__table__.insert().values(
                        at=at, actor="staff:marie", channel="staff", action=action,
                        detail=detail))
        upgrade(engine)
        with engine.connect() as conn:
            found = [(a, d) for a, d in conn.execute(
                select(AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id))]
        assert found == [
            ("training_call", {"from": "+33 6 •• •• •• 78"}),
            ("training_call", {"from": "numéro masqué"}),
            ("training_call", {"from": "+33 6 •• •• •• 78", "account": "210001"}),
            ("cancel", {"from": "+33612345678"}),
        ]
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_0010_says_once_the_kind_a_closure_label_repeated(backend: str, tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    from sqlalchemy import select

    from restomairie.models import Closure, School

    engine, schema = new_engine(backend, tmp_path)
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    labels = [("strike", "grève (grève)"), ("strike", "grève (Grève.)"),
              ("trip", "sortie scolaire (sortie)"),
              ("strike", "grève (grève des agents)"), ("strike", "grève"),
              ("other", "grève (grève)")]  # "other" is the note alone: left as typed
    try:
        upgrade(engine, "0009_training_calls_masked")
        with engine.begin() as conn:
            conn.execute(School.__table__.insert().values(
                id="anjou-elem", name="École élémentaire Anjou", kitchen="cuisine-centrale"))
            for kind, label in labels:
                conn.execute(Closure.__table__.insert().values(
                    school_id="anjou-elem", first_day=date(2026, 12, 3),
                    last_day=date(2026, 12, 3), kind=kind, label=label,
                    created_by="staff:marie", created_at=at))
        upgrade(engine)
        with engine.connect() as conn:
            found = list(conn.scalars(select(Closure.label).order_by(Closure.id)))
        assert found == ["grève", "grève", "sortie scolaire", "grève (grève des agents)",
                         "grève", "grève (grève)"]
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_0011_counts_the_wrong_passwords_already_there_as_the_login_s(
    backend: str, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from alembic import command

    from restomairie.clock import PARIS, Clock
    from restomairie.db import make_session_factory
    from restomairie.migrate import alembic_config
    from restomairie.staff.accounts import AccountService, LoginThrottled

    engine, schema = new_engine(backend, tmp_path)
    at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    failures = sa.table("staff_login_failures", sa.column("username", sa.String()),
                        sa.column("address", sa.String()), sa.column("at", sa.DateTime()),
                        sa.column("kind", sa.String()))
    try:
        upgrade(engine, "0010_closure_labels_said_once")
        with engine.begin() as conn:
            conn.execute(failures.insert(), [
                {"username": "marie", "address": "203.0.113.66", "at": at.replace(tzinfo=None)}
            ] * 5)
        upgrade(engine)
        with engine.begin() as conn:
            kinds = list(conn.scalars(sa.select(failures.c.kind)))
            conn.execute(failures.insert().values(
                kind="kitchen_token", username="", address="203.0.113.66",
                at=at.replace(tzinfo=None)))
        assert kinds == ["login"] * 5
        # The login's limit still counts them: marie is refused to that address.
        accounts = AccountService(make_session_factory(engine), Clock(PARIS, frozen=at))
        with pytest.raises(LoginThrottled):
            accounts.authenticate("marie", "peu importe", "203.0.113.66")
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0010_closure_labels_said_once")
        with engine.connect() as conn:
            left = conn.execute(sa.text("SELECT username FROM staff_login_failures")).all()
        assert [row[0] for row in left] == ["marie"] * 5  # the token's row deleted
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_0012_files_the_calls_ended_by_the_callers_goodbye_apart_from_hang_ups(
    backend: str, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import select

    from restomairie.migrate import alembic_config
    from restomairie.models import Call, CallEvent

    engine, schema = new_engine(backend, tmp_path)
    at = datetime(2026, 11, 23, 11, 45, tzinfo=UTC)
    bye = "<Response><Say>Aucun changement n'a été fait.</Say><Hangup /></Response>"
    asked = "<Response><Gather><Say>Pour quel jour ?</Say></Gather></Response>"
    calls = {  # CallSid: (outcome, its last steps (step, outcome, response))
        "CAdeclined": ("abandoned", [("confirm", "goodbye", bye), ("status", "completed", "")]),
        "CAgone": ("abandoned", [("action", "cancel", asked), ("status", "completed", "")]),
        "CAlistened": ("listened", [("after", "goodbye", bye)]),  # stronger: kept
    }
    try:
        upgrade(engine, "0011_kitchen_token_failures")
        with engine.begin() as conn:
            for i, (sid, (outcome, steps)) in enumerate(calls.items(), 1):
                conn.execute(Call.__table__.insert().values(
                    id=i, call_sid=sid, started_at=at, language="fr", step="end", attempts=0,
                    state={}, outcome=outcome))
                for j, (step, event, response) in enumerate(steps):
                    conn.execute(CallEvent.__table__.insert().values(
                        call_id=i, at=at, request_key=f"k{i}-{j}", step=step, outcome=event,
                        response=response))

        def outcomes() -> dict[str, str]:
            with engine.connect() as conn:
                return {sid: o for sid, o in conn.execute(select(Call.call_sid, Call.outcome))}

        upgrade(engine)
        assert outcomes() == {"CAdeclined": "goodbye", "CAgone": "abandoned",
                              "CAlistened": "listened"}
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0011_kitchen_token_failures")
        assert outcomes() == {"CAdeclined": "abandoned", "CAgone": "abandoned",
                              "CAlistened": "listened"}
    finally:
        engine.dispose()
        drop_schema(schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_0014_starts_the_open_sessions_idle_time_from_their_login(
    backend: str, tmp_path: Path
) -> None:
    from datetime import datetime

    import sqlalchemy as sa
    from alembic import command

    from restomairie.migrate import alembic_config

    engine, schema = new_engine(backend, tmp_path)
    at = datetime(2026, 12, 4, 9, 0)  # UTC, stored naive
    try:
        upgrade(engine, "0013_school_starts")
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO staff_users (id, username, password_hash, role, created_at) "
                "VALUES (1, 'marie', 'x', 'staff', :at)"), {"at": at})
            conn.execute(sa.text(
                "INSERT INTO staff_sessions (user_id, token_hash, created_at) "
                "VALUES (1, :h, :at)"), {"h": "a" * 64, "at": at})
        upgrade(engine)
        with engine.connect() as conn:
            seen = conn.execute(sa.text("SELECT last_seen_at FROM staff_sessions")).scalar_one()
        assert str(seen)[:19] == "2026-12-04 09:00:00"  # its login's time
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0013_school_starts")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("staff_sessions")}
        assert "last_seen_at" not in columns and "created_at" in columns
    finally:
        engine.dispose()
        drop_schema(schema)
