"""What every plan item service shares: text limits, version checks, authorship, closed plans."""
