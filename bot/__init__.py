"""Workforce Pathways: a Telegram bot for apprenticeship, dual-education and certification programs."""

__version__ = "0.1.0"
