"""Output: Rich for people at a terminal, plain text and JSON for pipes and scripts."""
