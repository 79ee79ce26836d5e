"""Developer tools: the import graph and its layering rules, docs generated from the source.

Nothing in the model imports this package; ``scripts/import_graph.py``,
``scripts/gen_docs.py`` and the tests use it.
"""
