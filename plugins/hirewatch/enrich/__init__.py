"""hirewatch.enrich."""
