"""The panels drawn over the map: the legend and the sources panel (title, articles, what
was not placed). Their HTML goes into the page as data, never through branca's template
engine, so an article cannot inject a Jinja expression."""

from __future__ import annotations

import json

import folium
from branca.element import Element, MacroElement, Template

from ..borders import load_borders
from ..model import Analysis
from ..safe import html_text
from .styles import KIND_COLOURS, NO_ZONE_COLOUR, PRECISION_STYLE, event_style, zone_style

__all__ = [
    "PAGE_CSS",
    "KeyPanel",
    "Verbatim",
    "add_legend",
    "add_sources_panel",
    "event_key",
    "legend_html",
]


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


def _svg(inner: str, width: int = 18, height: int = 14) -> str:
    return (
        f'<svg class="fp-key-sym" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' aria-hidden="true">{inner}</svg>'
    )


def _dot(
    fill: str,
    *,
    stroke: str = "#222222",
    width: float = 2,
    dash: str | None = None,
    opacity: float = 0.85,
) -> str:
    """A place marker as the map draws it (``PRECISION_STYLE``), in small."""
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<circle cx="9" cy="7" r="5" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}"'
        f' stroke-width="{width}"{dashed}/>'
    )


def event_key(kind: str) -> str:
    """The event's marker exactly as on the map (the awesome-markers pin and its icon),
    shrunk for the legend."""
    style = event_style(kind)
    return (
        f'<span class="awesome-marker awesome-marker-icon-{style["marker"]} fp-key-pin">'
        f'<i class="fa fa-{style["icon"]} icon-white"></i></span>'
    )


def legend_html(analysis: Analysis, *, colour_by: str = "zone", hidden_zone_kinds=()) -> str:
    """The legend's rows: zones and the places in them, events, relative locations and the
    precision symbols, each drawn with the map's own symbol."""
    rows = []
    exact = PRECISION_STYLE["exact"]
    if colour_by == "zone":
        for kind in sorted({z.kind for z in analysis.zones} - set(hidden_zone_kinds)):
            style = zone_style(kind)
            dash = f' stroke-dasharray="{style["dashArray"]}"' if style["dashArray"] else ""
            box = (
                f'<rect x="1" y="1" width="16" height="12" fill="{style["fillColor"]}"'
                f' fill-opacity="0.35" stroke="{style["color"]}" stroke-width="1.5"{dash}/>'
            )
            rows.append(
                _svg(box + _dot(style["color"], width=1.5))
                + f" {html_text(kind)} zone, places in it"
            )
        rows.append(_svg(_dot(NO_ZONE_COLOUR, stroke=exact["color"])) + " place in no zone")
    else:
        kinds = sorted({p.kind for p in analysis.places if p.kind != "relative"})
        rows += [_svg(_dot(KIND_COLOURS.get(k, "#666666"))) + f" {html_text(k)}" for k in kinds]
    events = sorted({e.kind for e in analysis.events})
    if events:
        pins = "".join(
            f'<span class="fp-key-event">{event_key(k)} {html_text(k)}</span>' for k in events
        )
        rows.append(f'<div class="fp-key-events">{pins}</div>')
    rels = [m.relation for m in analysis.mentions if m.relation]
    if any(not r.anchor.id.startswith("border:") for r in rels):
        ring = (
            '<circle cx="9" cy="7" r="6" fill="none" stroke="#8c2d04" stroke-width="1.5"'
            ' stroke-dasharray="3 2"/><circle cx="9" cy="7" r="2" fill="#8c2d04"/>'
        )
        rows.append(_svg(ring) + " relative location and its ± area")
    if any(r.anchor.id.startswith("border:") for r in rels):
        line = (
            '<line x1="1" y1="7" x2="17" y2="7" stroke="#8c2d04" stroke-width="3"'
            ' stroke-dasharray="5 3"/>'
        )
        rows.append(_svg(line) + " stretch of border named in the text")
    near, country = PRECISION_STYLE["near"], PRECISION_STYLE["country"]
    symbols = (
        _svg(_dot("#999999"))
        + " exact "
        + _svg(_dot("#dddddd", stroke=near["color"], dash="4 3", opacity=0.35))
        + " near "
        + _svg(_dot("none", stroke="#1f78b4", width=3, opacity=0))
        + " region "
        + _svg(_dot("#eeeeee", stroke=country["color"], width=1, dash="1 3", opacity=0.3))
        + " country"
    )
    rows.append(f'<div class="fp-key-precision">{symbols}</div>')
    return "".join(f'<div class="fp-key-row">{row}</div>' for row in rows)


def _script_json(value: str) -> str:
    """A string as a JavaScript literal inside <script>: no "</" ends the block, no brace
    pair can look like Jinja to branca."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("</", "<\\/").replace("{{", "{ {").replace("}}", "} }")


class KeyPanel(MacroElement):
    """One collapsible panel, top right, for the legend and the layer list.

    Added after the layer control: its script moves the control's list into the panel (the
    control keeps updating it), so legend and layers fold away together. Opening a popup
    folds the panel, and popups pan clear of the title box, so no panel covers a popup.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var box = map.getContainer();
  var Panel = L.Control.extend({
    options: {position: "topright"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "fp-panel leaflet-control");
      var button = L.DomUtil.create("button", "fp-panel-toggle", div);
      button.type = "button";
      button.textContent = "Key and layers";
      var body = L.DomUtil.create("div", "fp-panel-body", div);
      var legend = L.DomUtil.create("div", "fp-legend", body);
      legend.innerHTML = {{ this.legend_json }};
      var layers = L.DomUtil.create("details", "fp-layers", body);
      layers.innerHTML = "<summary>Layers and base map</summary>";
      layers.open = {{ this.layers_open }};
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }
  });
  var panel = new Panel().addTo(map);
  var div = panel.getContainer();
  var list = box.querySelector(".leaflet-control-layers-list");
  if (list) {
    var control = list.closest(".leaflet-control-layers");
    div.querySelector(".fp-layers").appendChild(list);
    control.style.display = "none";
  }
  var button = div.querySelector(".fp-panel-toggle");
  function setOpen(open) {
    div.classList.toggle("fp-collapsed", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.addEventListener("click", function () {
    setOpen(div.classList.contains("fp-collapsed"));
  });
  setOpen(map.getSize().x >= 900);
  map.on("popupopen", function () { setOpen(false); });
  var title = document.querySelector(".fp-title");
  var top = 10;
  if (title) {
    top = title.getBoundingClientRect().bottom - box.getBoundingClientRect().top + 10;
  }
  L.Popup.prototype.options.autoPanPaddingTopLeft = L.point(60, Math.max(top, 10));
  L.Popup.prototype.options.autoPanPaddingBottomRight = L.point(20, 20);
})();
{% endmacro %}
"""
    )

    def __init__(self, legend: str, *, layers_open: bool = False) -> None:
        super().__init__()
        self._name = "KeyPanel"
        self.legend_json = _script_json(legend)
        self.layers_open = "true" if layers_open else "false"


def add_legend(
    fmap: folium.Map,
    analysis: Analysis,
    *,
    colour_by: str = "zone",
    hidden_zone_kinds=(),
    layers_open: bool = False,
) -> KeyPanel:
    """The key-and-layers panel (add it after the layer control)."""
    panel = KeyPanel(
        legend_html(analysis, colour_by=colour_by, hidden_zone_kinds=hidden_zone_kinds),
        layers_open=layers_open,
    )
    panel.add_to(fmap)
    return panel


PAGE_CSS = """<style>
.leaflet-popup-content { font: 13px/1.45 sans-serif; }
.leaflet-popup-content blockquote {
  margin: 6px 0 0; padding-left: 8px; border-left: 3px solid #ccc;
}
.leaflet-popup-content mark { background: #ffe08a; padding: 0 2px; }
.leaflet-popup-content .fp-quotes { max-height: 220px; overflow-y: auto; }
.leaflet-interactive:focus, .leaflet-container path:focus { outline: none; }
.fp-panel { background: rgba(255,255,255,0.95); border: 1px solid #aaa; border-radius: 4px;
  font: 12px/1.35 sans-serif; max-width: 250px; box-shadow: 0 1px 4px rgba(0,0,0,0.25); }
.fp-panel-toggle { display: block; width: 100%; border: 0; background: none; cursor: pointer;
  font: 600 12px sans-serif; padding: 6px 10px; text-align: left; }
.fp-panel-toggle::after { content: " \\25BE"; }
.fp-panel.fp-collapsed .fp-panel-toggle::after { content: " \\25B8"; }
.fp-panel.fp-collapsed .fp-panel-body { display: none; }
.fp-panel-body { padding: 0 10px 8px; max-height: calc(100vh - 110px); overflow-y: auto; }
.fp-key-row { margin: 2px 0; }
.fp-key-sym { vertical-align: middle; }
.fp-key-events { display: flex; flex-wrap: wrap; gap: 2px 8px; }
.fp-key-event { white-space: nowrap; }
.fp-key-pin { position: relative !important; display: inline-block !important;
  transform: scale(0.5); margin: -11px -9px -12px; vertical-align: middle; }
.fp-layers summary { cursor: pointer; font-weight: 600; margin-top: 6px; }
.fp-layers .leaflet-control-layers-list { display: block !important; }
.fp-offline { position: fixed; inset: 30% 20% auto; z-index: 10000; background: #fff;
  border: 2px solid #b30000; padding: 16px; font: 15px/1.5 sans-serif; }
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
