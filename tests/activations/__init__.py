"""Tests of app/activations/: the math against mpmath and scipy, and the activation API and pages."""
