"""HTTP routes, thin: validation in schemas/validate, work in the engine."""
