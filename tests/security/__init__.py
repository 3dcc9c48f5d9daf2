"""Hostile input, swept over the whole product: the XSS corpus through every field."""
