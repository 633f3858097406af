"""Comparison jobs: state in the database (queue), execution (runner), workers (local, celery_app)."""
