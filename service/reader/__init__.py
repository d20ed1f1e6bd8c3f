"""The reader: each served document as a page, built from the passages the running index holds."""
