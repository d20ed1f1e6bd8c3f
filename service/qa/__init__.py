"""Answering: understand the question, search, decide the outcome, word the answer."""
