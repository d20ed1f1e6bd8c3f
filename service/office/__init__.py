"""The office loop: question log, feedback, curated answers, suggestions and staff pages."""
