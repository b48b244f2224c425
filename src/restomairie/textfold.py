"""Accent- and case-insensitive text matching, the same in Python, SQLite and PostgreSQL.

``fold("Éloïse")`` is ``"eloise"``; :class:`folded` is that fold in SQL: on SQLite the Python
function itself, registered on each connection by :func:`restomairie.db.make_engine`
(SQLite's ``lower()`` folds ASCII only); on PostgreSQL ``lower(translate(…))`` with the table
below (no ``unaccent`` extension needed, and right whatever the database's ``LC_CTYPE``: the
table maps upper-case accented letters too). Both give the same result for the letters of
French names (Latin-1 and Latin Extended-A); a letter outside them is left as it is.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

SQLITE_FUNCTION = "restomairie_fold"
# Letters that fold to two (NFKD leaves them whole).
LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"}


def fold(text: str) -> str:
    """Lower case, without accents: "Éloïse" → "eloise", "Œdipe" → "oedipe"."""
    for letter, plain in LIGATURES.items():
        text = text.replace(letter, plain)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _table() -> tuple[str, str]:
    """The single letters of Latin-1 and Latin Extended-A that fold to one ASCII letter."""
    source, target = [], []
    for code in range(0xC0, 0x180):
        letter = chr(code)
        plain = fold(letter)
        if letter not in LIGATURES and len(plain) == 1 and plain.isascii() and plain != letter:
            source.append(letter)
            target.append(plain)
    return "".join(source), "".join(target)


TRANSLATE_FROM, TRANSLATE_TO = _table()


def register_sqlite(dbapi_conn: sqlite3.Connection) -> None:
    """Make :class:`folded` work on this SQLite connection."""
    dbapi_conn.create_function(SQLITE_FUNCTION, 1, _sqlite_fold, deterministic=True)


def _sqlite_fold(value: Any) -> str | None:
    return None if value is None else fold(str(value))


class folded(FunctionElement[str]):
    """``fold(column)`` in SQL (see the module)."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded)
def _folded_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    for letter, plain in LIGATURES.items():
        inner = f"replace({inner}, '{letter}', '{plain}')"
    return f"lower(translate({inner}, '{TRANSLATE_FROM}', '{TRANSLATE_TO}'))"
