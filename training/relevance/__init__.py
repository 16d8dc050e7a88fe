"""Training of the learned relevance model (sentence ranking and answerability gate); see build.py."""
