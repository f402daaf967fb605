"""hirewatch."""
