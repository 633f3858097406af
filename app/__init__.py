"""Activation Lab: evidence about transformer activation choices, as pages and a JSON API."""

__version__ = "0.1.0"
