"""amber: a static site generator for published AI chat conversations."""

__version__ = "0.1.0"
