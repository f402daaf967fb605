"""Test support written for this project: local servers the tests talk to over real HTTP."""
