"""Folium maps of what the pipeline found, linked both ways to the articles.

``event_map(result)`` draws one clustered marker per place (popups list the
articles that mention it, with the sentence highlighted), article focus
points, a heat map, a per-country choropleth, region footprints and a time
slider; ``write_article_pages`` writes one page per article whose mentions
link back to the map (``map.html#place=ID``). ``save_map`` writes a map,
optionally with offline assets. Maps read the frame schema and never geocode.
"""
from maps._data import MapInputError
from maps._event_map import DEFAULT_LAYERS, event_map
from maps._save import save_map
from maps.pages import page_name, write_article_pages

__all__ = ["DEFAULT_LAYERS", "MapInputError", "event_map", "page_name", "save_map", "write_article_pages"]
