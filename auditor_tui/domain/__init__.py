"""The audit's own rules, pure: the grid, scoring, the record and its checks, deadlines,
the life cycle, suggestions, labels, instants, the injected clock, the dealer directory.
No storage, no screen: everything here is imported by the layers above, never the reverse.
"""
