"""The live call's dealer line: name (city) · number · status · end of call. Drawn for its own
width: the name and the city are shortened first; the number is never cut, and the status and
the end of call stay readable."""

from __future__ import annotations

from dataclasses import astuple, dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from auditor_tui.text.safe_text import terminal_text

ELLIPSIS = "…"
MIN_PART = 4  # a shortened name or city keeps at least this many cells (« Lexu… »)


@dataclass(frozen=True)
class DealerInfo:
    name: str
    city: str
    phone: str
    status: str
    end: str = ""  # « fin 14:13 » once the call has ended


def shorten(text: str, cells: int) -> str:
    """`text` in at most `cells` cells, with « … » when cut; « » when there is no room."""
    if cell_len(text) <= cells:
        return text
    if cells < 2:
        return ""
    out = ""
    for char in text:
        if cell_len(out + char) > cells - 1:
            break
        out += char
    return out.rstrip() + ELLIPSIS


def _name_and_city(name: str, city: str, room: int) -> tuple[str, str]:
    """The name and the city (empty: not shown) in `room` cells: the city shortens, then
    goes; then the name shortens."""
    if not city or city.casefold() in name.casefold():  # « Lexus Dijon (Dijon) »: once
        return shorten(name, room), ""
    extra = cell_len(" ()")
    if cell_len(name) + extra + cell_len(city) <= room:
        return name, city
    city_room = room - cell_len(name) - extra
    if city_room >= MIN_PART:
        return name, shorten(city, city_room)
    return shorten(name, room), ""


def fit_dealer_line(info: DealerInfo, width: int) -> Content:
    """The line for `width` cells. What must stay whole (number, status, end) is laid out
    first; the name and the city take what is left. Texts are shown as written, their
    control characters as « � » (a name comes from the store)."""
    info = DealerInfo(*(terminal_text(text) for text in astuple(info)))
    tail = [info.phone, info.status] + ([info.end] if info.end else [])
    fixed = " · ".join(tail)
    # Too narrow for everything: the end, then the status go before the number is touched.
    while cell_len(fixed) > width and len(tail) > 1:
        tail.pop()
        fixed = " · ".join(tail)
    room = width - cell_len(fixed) - cell_len(" · ")
    name, city = _name_and_city(info.name, info.city, room) if room >= MIN_PART else ("", "")
    parts: list[Content | tuple[str, str] | str] = []
    if name:
        parts.append((name, "bold"))
        if city:
            parts.append(f" ({city})")
        parts.append(" · ")
    parts.append(info.phone)
    if len(tail) > 1:
        parts += [" · ", (tail[1], "$text-accent")]
    if len(tail) > 2:
        parts += [" · ", (tail[2], "bold")]
    return Content.assemble(*parts)


class DealerLine(Widget):
    """One line, fitted to the widget's width at every paint (a resize included)."""

    info: reactive[DealerInfo | None] = reactive(None, layout=False)

    def render(self) -> Content:
        if self.info is None:
            return Content("")
        return fit_dealer_line(self.info, self.content_region.width or self.size.width)
