"""hirewatch.digest."""
