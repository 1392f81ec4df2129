"""The command line: `auditor-tui` with no command opens the TUI; import, export, report,
dealers import; exit statuses and standard output whose reader may go away.
"""
