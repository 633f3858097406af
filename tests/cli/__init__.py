"""Tests of app/cli/: the actlab command's exit codes and messages."""
