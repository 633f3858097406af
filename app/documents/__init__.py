"""The JSON twins: the documents a JSON route returns and a page renders, built once for both."""
