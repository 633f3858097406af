"""Tests of app/answers/: the evaluation set, grounding, follow-ups, the question API and CLI."""
