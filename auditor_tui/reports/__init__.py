"""The network report: figures (pure), the rows cached beside the index, and the tables
that show them.
"""
