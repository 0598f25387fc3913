"""Reference data from real AWS runs (tests/reference/aws/) and the classifier that compares transcripts with them."""
