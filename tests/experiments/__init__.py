"""Tests of app/experiments/: corpus, tiny LM fairness, statistics, cancellation, speed runs."""
