"""hirewatch.match: which of a monitor's entities (the employer, its competitors) an item names.

:mod:`.employer_matcher` is the matcher the pipeline runs on every item; :mod:`.prefilter` is the
cheap test the feed sources use to skip items that cannot match before parsing them.
"""
