"""The panels drawn over the map: the legend and the sources panel (title, articles, what
was not placed). Their HTML goes into the page as data, never through branca's template
engine, so an article cannot inject a Jinja expression."""

from __future__ import annotations

import folium
from branca.element import Element, MacroElement, Template

from ..borders import load_borders
from ..model import Analysis
from ..safe import html_text
from .styles import EVENT_ICONS, KIND_COLOURS, NO_ZONE_COLOUR, ZONE_STYLES

__all__ = ["PAGE_CSS", "Verbatim", "add_legend", "add_sources_panel"]


class Verbatim(Element):
    """Finished HTML put into the page as it is.

    branca's ``Element(html)`` compiles its argument as a Jinja template, so an article title
    such as ``{{ cycler.__init__.__globals__ }}`` would run as code while the map is built.
    Here the HTML is data, rendered by a fixed template and never parsed.
    """

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.markup = markup


_LEGEND = Template(
    """
{% macro html(this, kwargs) %}
<div class="fp-legend" style="position: fixed; top: 64px; left: 54px; z-index: 9999;
     background: rgba(255,255,255,0.92); padding: 8px 10px; border: 1px solid #999;
     border-radius: 4px; font: 12px/1.4 sans-serif; max-width: 230px; max-height: 40vh;
     overflow-y: auto;">
  <b>Legend</b><br>
  {{ this.rows }}
</div>
{% endmacro %}
"""
)


def add_legend(fmap: folium.Map, analysis: Analysis, *, colour_by: str = "zone") -> MacroElement:
    """A fixed legend: what marker colours mean, zone kinds, events, precision symbols."""
    dot = "display:inline-block;width:10px;height:10px;border-radius:5px;border:1px solid #222;"
    rows = []
    if colour_by == "zone":
        rows.append("<i>Places, by the zone they lie in:</i>")
        zone_kinds = sorted({z.kind for z in analysis.zones})
        for kind in zone_kinds:
            colour = ZONE_STYLES.get(kind, ZONE_STYLES["custom"])["color"]
            rows.append(
                f'<span style="{dot}background:{colour}"></span> in a {html_text(kind)} zone'
            )
        rows.append(f'<span style="{dot}background:{NO_ZONE_COLOUR}"></span> in no zone')
    else:
        kinds = sorted({p.kind for p in analysis.places if p.kind != "relative"})
        rows += [
            f'<span style="{dot}background:{KIND_COLOURS.get(k, "#666")}"></span> {html_text(k)}'
            for k in kinds
        ]
    for kind in sorted({z.kind for z in analysis.zones}):
        colour = ZONE_STYLES.get(kind, ZONE_STYLES["custom"])["color"]
        rows.append(
            f'<span style="display:inline-block;width:14px;height:0;border-top:2px dashed '
            f'{colour}"></span> {html_text(kind)} zone'
        )
    for kind in sorted({e.kind for e in analysis.events}):
        _, colour = EVENT_ICONS.get(kind, ("", "lightgray"))
        rows.append(
            f'<span style="display:inline-block;width:10px;height:14px;border-radius:5px 5px 5px'
            f' 0;background:{colour}"></span> {html_text(kind)} (event)'
        )
    if any(m.relation for m in analysis.mentions):
        rows.append(
            '<span style="display:inline-block;width:10px;height:10px;border-radius:5px;'
            'background:#fdae6b;border:1px dashed #8c2d04"></span> relative location (area)'
        )
    ring = "display:inline-block;width:10px;height:10px;border-radius:6px;"
    rows += [
        f'<span style="{ring}background:#999;border:2px solid #222"></span> exact place',
        f'<span style="{ring}background:#ddd;border:2px dashed #555"></span> near a place',
        f'<span style="{ring}border:3px solid #1f78b4"></span> region only',
        f'<span style="{ring}background:#eee;border:1px dotted #555"></span> country only',
    ]
    legend = MacroElement()
    legend._template = _LEGEND
    legend.rows = "<br>".join(rows)
    legend.add_to(fmap)
    return legend


PAGE_CSS = """<style>
.leaflet-popup-content { font: 13px/1.45 sans-serif; }
.leaflet-popup-content blockquote {
  margin: 6px 0 0; padding-left: 8px; border-left: 3px solid #ccc;
}
.leaflet-popup-content mark { background: #ffe08a; padding: 0 2px; }
.leaflet-popup-content .fp-quotes { max-height: 220px; overflow-y: auto; }
</style>"""


def add_sources_panel(fmap: folium.Map, analysis: Analysis, title: str) -> None:
    """Title and the list of source documents, top left; the page <title> too."""
    docs = "".join(
        f"<li>{html_text(d.title or d.source)}"
        f"{' (' + d.published.isoformat() + ')' if d.published else ''}</li>"
        for d in analysis.documents
    )
    attribution = html_text(load_borders().attribution)
    missing = "".join(
        f"<li>{html_text(u.surface)}: {html_text(u.reason)}</li>" for u in analysis.unresolved
    )
    if missing:
        missing = f"<details><summary>Names not placed</summary><ul>{missing}</ul></details>"
    panel = (
        '<div class="fp-title" style="position: fixed; top: 10px; left: 54px; z-index: 9999;'
        " background: rgba(255,255,255,0.92); padding: 6px 10px; border: 1px solid #999;"
        ' border-radius: 4px; font: 13px/1.4 sans-serif; max-width: 420px;">'
        f"<b>{html_text(title)}</b><details><summary>Sources</summary><ul>{docs}</ul>"
        f"<small>Borders: {attribution}</small></details>{missing}</div>"
    )
    root = fmap.get_root()
    root.title = html_text(title)
    root.html.add_child(Verbatim(panel))
