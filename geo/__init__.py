"""eventmap's pipeline: articles → mentions → places → frames → store → queries/exports.

>>> import geo
>>> res = geo.parse(["Flooding hit Busan and Seoul."])          # doctest: +SKIP
>>> res.mentions[["text", "name", "country_code"]]               # doctest: +SKIP
"""
from geo.articles import Article, read_articles
from geo.errors import InputError, QueryError, StoreError
from geo.frames import SCHEMA_VERSION
from geo.pipeline import ParseResult, Pipeline, parse
from geo.resolve import ArticleResult, Focus, Mention
from geo.store import Store

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleResult",
    "Focus",
    "InputError",
    "Mention",
    "ParseResult",
    "Pipeline",
    "QueryError",
    "Store",
    "StoreError",
    "parse",
    "read_articles",
]
