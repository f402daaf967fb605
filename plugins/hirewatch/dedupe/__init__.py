"""hirewatch.dedupe."""
