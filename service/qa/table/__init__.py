"""Answers computed over the documents' tables (the plan's indicator table) and their sentences."""
