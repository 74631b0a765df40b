"""Workforce Pathways: a Telegram bot for apprenticeship, dual education and certification."""

__version__ = "0.1.0"
