"""Follow-ups: a question resolved against the conversation before it."""
