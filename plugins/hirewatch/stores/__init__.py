"""hirewatch.stores."""
