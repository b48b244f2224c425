"""A realistic demo town: about fifty families over the configured schools, both kinds of
subscription, phone numbers and codes to try the line with. Deterministic (seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from restomairie.booking.importer import ImportReport, import_csv
from restomairie.booking.services import Actor, BookingService, name_key

FIRST_NAMES = (
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Emma",
    "Nathan",
    "Jade",
    "Louis",
    "Inès",
    "Gabriel",
    "Manon",
    "Raphaël",
    "Zoé",
    "Arthur",
    "Lina",
    "Jules",
    "Camille",
    "Adam",
    "Sarah",
    "Noé",
    "Alice",
    "Ethan",
    "Louise",
    "Mohamed",
    "Ambre",
    "Paul",
    "Yasmine",
    "Tom",
    "Anaïs",
    "Sacha",
    "Maël",
    "Rose",
    "Timéo",
    "Lou",
    "Aylin",
    "Éloïse",
    "Malo",
    "Nour",
    "Axel",
    "Margaux",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Benali",
    "Nguyen",
    "Diallo",
    "Da Silva",
    "Haddad",
)
PATTERNS = ("lun mar jeu ven", "lun mar jeu ven", "lun mar jeu ven", "lun jeu", "mar ven", "")
DIETS = ("standard",) * 6 + ("sans_porc", "sans_porc", "vegetarien", "pai")


@dataclass(frozen=True)
class DemoFamily:
    account: str
    pin: str
    phone: str
    guardian: str
    children: tuple[str, ...]


def demo_csv(
    school_ids: list[str], families: int = 50, seed: int = 2026
) -> tuple[str, list[DemoFamily]]:
    """The demo town as an import file (so the demo goes through the real import)."""
    rng = random.Random(seed)
    lines = ["family;pin;phones;guardian;child;first_name;last_name;birth_date;school;diet;days"]
    out = []
    child_no = 1
    for i in range(families):
        account = f"{210500 + i}"
        pin = f"{rng.randrange(10000):04d}"
        last = LAST_NAMES[i % len(LAST_NAMES)]
        phone = f"+336{rng.randrange(10**8):08d}"
        phones = phone if i % 7 else f"{phone}, +333{rng.randrange(10**8):08d}"
        guardian = f"{rng.choice(('Mme', 'M.'))} {last}"
        school = rng.choice(school_ids)
        names = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            first = rng.choice([n for n in FIRST_NAMES if n not in names])
            names.append(first)
            birth = (
                f"{rng.randrange(2015, 2022)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            )
            lines.append(
                f"{account};{pin};{phones};{guardian};E{child_no:05d};{first};{last};{birth};"
                f"{school};{rng.choice(DIETS)};{rng.choice(PATTERNS)}"
            )
            child_no += 1
        out.append(DemoFamily(account, pin, phone, guardian, tuple(sorted(names, key=name_key))))
    return "\n".join(lines) + "\n", out


def load_demo(service: BookingService, families: int = 50) -> tuple[ImportReport, list[DemoFamily]]:
    """Load the demo town through the import (idempotent: a second run updates in place).

    The families are enrolled and subscribed since the start of the current school year, so
    that past and locked days have meals too (the kitchen pages, the calendars)."""
    data, listing = demo_csv([s.id for s in service.settings.schools], families)
    today = service.clock.today()
    rentree = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    since = max(rentree, service.calendar.first_covered)
    report = import_csv(service, data, Actor("system", "demo", "import"), since=since)
    return report, listing
