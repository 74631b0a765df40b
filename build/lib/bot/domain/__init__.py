"""Vocabulary and rules of the domain, below the catalog, the store and the screens.

Nothing here knows about Telegram, the database or HTML.
"""
