"""State several replicas share: Redis for rate-limit counters and answers, the index link."""
