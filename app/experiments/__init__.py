"""Experiments the service runs as background jobs: FFN quality and speed comparisons.

``comparison.run(config, report)`` is the entry point; ``config`` holds the one schema per kind,
``admission`` and ``cost`` check and price a request, ``quality``/``speed`` run it (``pool`` and
``trainer_process`` spread quality runs over processes, ``stats`` gives the verdicts).
"""
