"""Learning: the published catalog, enrollment, lesson access, progress and evaluations."""
