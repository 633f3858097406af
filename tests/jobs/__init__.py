"""Tests of app/jobs/: comparison jobs end to end, the Celery path, durability with real processes."""
