"""hirewatch.match."""
