"""Format readers behind :mod:`geo.articles`.

Each reader turns one input into raw records — ``(where, fields)`` pairs where
``fields`` is a mapping — or :class:`~geo.errors.InputError` values for the
parts it could not read. Building, validating and de-duplicating
:class:`~geo.articles.Article` objects is left to :mod:`geo.articles`, so every
format gets the same checks.
"""
