"""Contract tests: promises that hold across the whole service (one error shape, declared statuses and schemas,
fuzzing, hostile input, both databases, the deployment, layering and cycles, a fresh clone)."""
