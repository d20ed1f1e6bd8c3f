"""The eval set: gold questions, IR and answer metrics, reports (nothing imports eval)."""
