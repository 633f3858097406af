"""Question answering over the stored evidence: entities -> intent -> facts/computations/passages -> post.

Why each step is rule-based: the vocabulary is closed and comes from the database and ``app.vocabulary``
(lexicon.py), the intents are few (intents.py), the facts are a few hundred stored rows (facts.py), and
the why-questions are answered from curated explanations found by BM25 (retrieval.py). Every number an
answer shows is cited or computed (builder.py and the composers per kind of question: tables.py,
models.py, functions.py, explain.py, run.py) and checked (grounding.py) before the answer is stored; an
optional language-model endpoint may only rephrase, never change a number (rephrase.py). pipeline.py
runs the steps and stores the result.
"""
