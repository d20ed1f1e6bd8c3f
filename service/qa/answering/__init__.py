"""Deciding and wording an answer from retrieved passages: evidence, policy, composition."""
