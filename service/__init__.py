"""FastAPI service: settings, schemas, routes, answer composition, CLI and widget."""
