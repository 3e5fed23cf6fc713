"""The owner's access log (R-LOG-3): the plan's audit rows, in plain words, for its owner."""
