"""hirewatch.extract."""
