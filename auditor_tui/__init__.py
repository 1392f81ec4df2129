"""auditor-tui: keyboard-driven mystery-call audits for the Lexus « Programme 5 Étoiles »."""

__version__ = "0.1.0"
