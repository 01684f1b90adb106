"""Folium elements for the layers of an event map.

Places, focus points and the time layer are drawn by a small static script
(``templates/eventmap.js``) from one JSON blob (:class:`EventData`), so a map of
10,000 places is one data literal, not 10,000 ``folium.Marker`` objects, and no
untrusted string is ever spliced into HTML or JavaScript source: the blob is
JSON escaped by :func:`maps.html.json_for_script` and the script renders text
with ``textContent``.
"""
from __future__ import annotations

from importlib import resources
from typing import Any

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template
from branca.element import Element, MacroElement

from maps.html import json_for_script

__all__ = [
    "DataAttribution",
    "EventData", "PlacesLayer", "FocusLayer", "TimeLayer", "Legend", "HashFollower", "LAYER_NAMES",
]

#: display names of the layers, as they appear in the layer control
LAYER_NAMES = {
    "places": "Places",
    "focus": "Article focus",
    "heat": "Mention heat map",
    "countries": "Mentions per country",
    "admin1": "Mentions per state/province",
    "regions": "Region footprints",
    "time": "Mentions over time",
}

_SCRIPT = resources.files("maps").joinpath("templates/eventmap.js").read_text(encoding="utf-8")

_CSS = """
.em-marker{display:flex;align-items:center;justify-content:center;border-radius:50%;
  background:rgba(31,120,180,.88);border:2px solid #fff;color:#fff;font:bold 11px/1 sans-serif;
  box-shadow:0 0 3px rgba(0,0,0,.5);box-sizing:border-box}
.em-marker-low{background:rgba(255,255,255,.85);border:2px dashed #888;color:#555}
.em-popup{font:13px/1.35 sans-serif;max-height:320px;overflow-y:auto;overflow-wrap:anywhere}
/* Leaflet tooltips never wrap: a huge name would make one tens of thousands of pixels wide */
.em-tip{white-space:normal;width:max-content;max-width:320px;overflow-wrap:anywhere}
.foliumtooltip table{width:max-content;max-width:360px}.foliumtooltip td{white-space:normal;overflow-wrap:anywhere}
.em-place{font-weight:bold;font-size:15px;margin-bottom:2px}
.em-counts,.em-meta,.em-more{color:#555}
.em-low{color:#a33;font-style:italic}
.em-articles{padding-left:18px;margin:6px 0}
.em-articles li{margin-bottom:6px}
.em-sentence{margin:3px 0 0;padding-left:6px;border-left:3px solid #ddd;color:#333;font-size:12px}
.em-sentence mark{background:#ffe066;padding:0 1px}
.em-page{white-space:nowrap;font-size:12px}
.em-legend{display:none;background:rgba(255,255,255,.92);padding:6px 9px;border-radius:5px;
  font:12px/1.5 sans-serif;box-shadow:0 0 4px rgba(0,0,0,.3)}
.em-legend .em-sym{display:inline-block;width:14px;height:14px;margin-right:5px;vertical-align:middle;
  border-radius:50%;box-sizing:border-box}
"""


class _Raw(Element):
    """Text put into the page as is.

    branca turns every rendered macro back into a Jinja template and renders
    it again; for a data blob of many megabytes that second parse costs
    seconds (and would run any template code hidden in the data).
    """

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class EventData(MacroElement):
    """The JSON data of a map plus the script that draws it (emitted once)."""

    def __init__(self, data: dict[str, Any]):
        super().__init__()
        self._name = "EventData"
        self.json = json_for_script(data)

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        figure.header.add_child(_Raw(f"<style>{_CSS}</style>"), name="eventmap_css")
        figure.script.add_child(_Raw(f"{_SCRIPT}\nvar {self.get_name()} = {self.json};\n"), name=self.get_name())


class PlacesLayer(JSCSSMixin, Layer):
    """One clustered marker per place, built in the browser from :class:`EventData`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.markerClusterGroup({{ this.options|tojavascript }});
            eventmap.places({{ this._parent.get_name() }}, {{ this.get_name() }}, {{ this.data.get_name() }});
        {% endmacro %}
        """
    )
    default_js = MarkerCluster.default_js
    default_css = MarkerCluster.default_css

    def __init__(self, data: EventData, *, name: str = LAYER_NAMES["places"], show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PlacesLayer"
        self.data = data
        self.options = {"showCoverageOnHover": False, "maxClusterRadius": 50,
                        "spiderfyOnMaxZoom": True, "removeOutsideVisibleBounds": True}


class FocusLayer(Layer):
    """Each article's focus point (its most specific focus place)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup();
            eventmap.focus({{ this._parent.get_name() }}, {{ this.get_name() }}, {{ this.data.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: EventData, *, name: str = LAYER_NAMES["focus"], show: bool = False):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "FocusLayer"
        self.data = data


class TimeLayer(JSCSSMixin, Layer):
    """Mentions per place and period on a time slider (Leaflet.TimeDimension).

    The slider control appears while the layer is switched on.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.timeDimension = L.timeDimension({period: {{ this.period|tojson }}});
            var {{ this.get_name() }} = eventmap.timeLayer(
                {{ this._parent.get_name() }}, {{ this.data.get_name() }}, {{ this.period|tojson }},
                new eventmap.TimeControl({position: "bottomright", autoPlay: false, loopButton: true,
                    timeSliderDragUpdate: true, speedSlider: false, playerOptions: {transitionTime: 400, loop: true}}));
        {% endmacro %}
        """
    )
    default_js = [
        ("iso8601", "https://cdn.jsdelivr.net/npm/iso8601-js-period@0.2.1/iso8601.min.js"),
        ("leaflet.timedimension",
         "https://cdn.jsdelivr.net/npm/leaflet-timedimension@1.1.1/dist/leaflet.timedimension.min.js"),
    ]
    default_css = [
        ("leaflet.timedimension_css",
         "https://cdn.jsdelivr.net/npm/leaflet-timedimension@1.1.1/dist/leaflet.timedimension.control.css"),
    ]

    def __init__(self, data: EventData, *, period: str, name: str = LAYER_NAMES["time"], show: bool = False):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "TimeLayer"
        self.data = data
        self.period = period


class Legend(MacroElement):
    """A static legend (no untrusted text) in the bottom-left corner."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <div id="{{ this.get_name() }}" class="em-legend">{{ this.body }}</div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            eventmap.legend({{ this._parent.get_name() }}, document.getElementById({{ this.get_name()|tojson }}));
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[tuple[str, str]], title: str = "Legend"):
        super().__init__()
        self._name = "Legend"
        # rows are (symbol style, label) pairs written by this package only
        body = [f"<b>{title}</b>"]
        body += [f'<div><span class="em-sym" style="{style}"></span>{label}</div>' for style, label in rows]
        self.body = "".join(body)


class HashFollower(MacroElement):
    """``map.html#place=ID`` opens the map zoomed to the place with its popup open."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            eventmap.followHash({{ this._parent.get_name() }}, {{ this.places.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, places: PlacesLayer):
        super().__init__()
        self._name = "HashFollower"
        self.places = places


class DataAttribution(MacroElement):
    """Credit the place data on the map itself (GeoNames data is CC BY 4.0)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution(
                'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0), eventmap');
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "DataAttribution"
