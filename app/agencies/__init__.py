"""State bodies that receive and answer submissions: central agencies, provinces, communes."""
