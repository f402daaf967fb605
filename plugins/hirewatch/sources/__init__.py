"""hirewatch.sources."""
