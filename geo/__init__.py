"""eventmap's pipeline: articles → mentions → places → frames → store → queries/exports."""
from geo.articles import Article
from geo.frames import SCHEMA_VERSION
from geo.resolve import ArticleResult, Focus, Mention
from geo.store import Store

__all__ = ["Article", "ArticleResult", "Focus", "Mention", "SCHEMA_VERSION", "Store"]
