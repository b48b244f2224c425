"""What a screen reader, a keyboard or weak eyes get from the staff pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import restomairie
from restomairie.runtime import Runtime
from tests.browser_support import live_server, page  # noqa: F401
from tests.factories import KidSpec, make_family
from tests.staff_support import PASSWORD, login, make_user

STAFF_CSS = Path(restomairie.__file__).parent / "static" / "staff" / "staff.css"


class Elements(HTMLParser):
    """Every element of a page as (tag, attributes, its text), in document order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[tuple[str, dict[str, str], list[str]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = (tag, {k: v or "" for k, v in attrs}, [])
        self.found.append(element)
        if tag not in ("input", "meta", "link", "br", "img"):
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element[2].append(data)

    def all(self, tag: str) -> list[tuple[dict[str, str], str]]:
        return [(a, "".join(t).strip()) for (name, a, t) in self.found if name == tag]


@pytest.fixture
def admin(app: Flask, rt: Runtime) -> Any:
    make_family(rt, "210001", phones=("+33612345678",), kids=[KidSpec("E1", "Léa")])
    make_user(rt, "chef", "admin")
    make_user(rt, "marie", "staff")
    client = app.test_client()
    assert login(client, "chef").status_code == 302
    return client


# ------------------------------------------------------------------ names of controls
def test_each_role_select_of_the_accounts_page_names_its_user(admin: Any) -> None:
    page_ = Elements(admin.get("/staff/users").get_data(as_text=True))
    selects = [a for a, _ in page_.all("select") if a.get("name") == "role"]
    labels = sorted(a.get("aria-label", "") for a in selects[:-1])  # the last: the new account's
    assert labels == ["Rôle de chef", "Rôle de marie"]


@pytest.mark.parametrize("url", [
    "/staff/users", "/staff/calls", "/staff/closures", "/staff/families/210001",
])
def test_no_table_header_is_empty(admin: Any, url: str) -> None:
    text = admin.get(url).get_data(as_text=True)
    headers = Elements(text).all("th")
    assert headers and all(words for _, words in headers), url


def test_the_keys_typed_on_the_in_browser_phone_are_a_status(admin: Any) -> None:
    page_ = Elements(admin.get("/staff/phone").get_data(as_text=True))
    typed = [a for a, _ in page_.all("div") if a.get("id") == "typed"]
    assert typed and typed[0].get("role") == "status"


# ------------------------------------------------------------------ the child's month
def test_the_month_has_a_caption_and_today_is_said_in_words(admin: Any) -> None:
    text = admin.get("/staff/families/210001/children/E1?month=2026-11").get_data(as_text=True)
    page_ = Elements(text)
    captions = [words for _, words in page_.all("caption")]
    assert len(captions) == 1 and "novembre 2026" in captions[0]
    cells = {a["data-day"]: (a, words) for a, words in page_.all("td") if "data-day" in a}
    today, words = cells["2026-11-23"]  # the pinned clock's Monday
    assert today.get("aria-current") == "date"
    assert "aujourd'hui" in words
    assert [d for d, (a, _) in cells.items() if a.get("aria-current")] == ["2026-11-23"]


# ------------------------------------------------------------------ layout and login
def test_a_skip_link_to_the_content_comes_first(admin: Any) -> None:
    page_ = Elements(admin.get("/staff/").get_data(as_text=True))
    tags = [name for name, _, _ in page_.found]
    first = page_.found[tags.index("body") + 1]
    assert first[0] == "a" and first[1].get("href") == "#content"
    assert "".join(first[2]).strip() == "Aller au contenu"
    assert [a.get("id") for a, _ in page_.all("main")] == ["content"]


def test_a_wrong_password_keeps_the_user_name_never_the_password(
    app: Flask, rt: Runtime
) -> None:
    make_user(rt, "marie", "staff")
    response = login(app.test_client(), "marie", "pas le bon du tout")
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    fields = {a.get("name"): a for a, _ in Elements(text).all("input")}
    assert fields["username"].get("value") == "marie"
    assert "autofocus" in fields["password"]
    assert "value" not in fields["password"] and "pas le bon du tout" not in text


def test_the_login_page_starts_empty(client: Any) -> None:
    fields = {a.get("name"): a for a, _ in
              Elements(client.get("/staff/login").get_data(as_text=True)).all("input")}
    assert fields["username"].get("value", "") == ""
    assert "autofocus" in fields["username"]


# ------------------------------------------------------------------ colours (WCAG AA)
def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_calendar_and_phone_colours_reach_4_5_to_1() -> None:
    css = STAFF_CSS.read_text(encoding="utf-8")
    var = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    cells = ["#ffffff", *(var[k] for k in ("sub", "book", "cancel", "closure", "closed"))]
    for colour in ("ok", "warn"):  # « modifiable », « verrouillé », a refused request
        worst = min(_contrast(var[colour], bg) for bg in cells)
        assert worst >= 4.5, (colour, var[colour], round(worst, 2))
    assert _contrast("#ffffff", var["ok"]) >= 4.5  # « Appeler »: white on green
    # the days of the months around: no faded opacity, a readable number on a plain cell
    assert not re.search(r"td\.out\s*\{[^}]*opacity", css)
    out = re.search(r"td\.day\.out\s*\{\s*background:\s*var\(--([a-z]+)\)", css)
    number = re.search(r"td\.day\.out \.num\s*\{\s*color:\s*var\(--([a-z]+)\)", css)
    assert out and number
    assert _contrast(var[number.group(1)], var[out.group(1)]) >= 4.5


# ------------------------------------------------------------------ in the browser
@pytest.mark.browser
def test_the_first_tab_shows_the_skip_link_and_it_moves_to_the_content(
    page: Any, rt: Runtime  # noqa: F811
) -> None:
    make_user(rt, "marie", "staff")
    page.goto("/staff/login")
    page.fill("input[name=username]", "marie")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto("/staff/calls")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.inner_text() == "Aller au contenu"
    box = focused.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 10
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
