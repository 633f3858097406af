"""Tests of app/papers.py and its surfaces: the paper API (JSON, CSV) and the paper, variant and model pages."""
