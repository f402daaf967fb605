"""hirewatch.alerts."""
