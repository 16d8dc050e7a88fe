"""Generators (extractive, LLM) behind one interface, and every prompt and fixed phrase."""
