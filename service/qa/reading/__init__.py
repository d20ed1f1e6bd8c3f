"""Reading a question once: its words, what it asks, its spelling, its fields."""
