"""Folium maps of what the pipeline found, linked both ways to the articles."""
__all__: list[str] = []
