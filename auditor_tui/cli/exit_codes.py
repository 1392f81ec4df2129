"""The exit status of every command (README.md « Exit codes »), and the help text naming them.

A reader that closes standard output early (`| head -1`) changes none of them: the rest of the
output is dropped, quietly (pipes.py), and the command exits with its own status.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1  # store busy, locked or damaged; a file that cannot be read or written
EXIT_REJECTED = 2  # input refused (a file, a record, the command line): nothing changed
EXIT_CONFLICTS = 3  # imported, but same revision with other content: nothing overwritten

HELP = """codes de sortie :
  0  fait
  1  erreur : dossier occupé, verrouillé ou endommagé, fichier illisible
  2  entrée refusée (fichier, enregistrement, ligne de commande) : rien n'est changé
  3  importé, avec des conflits : rien n'est écrasé"""


def epilog(*examples: str) -> str:
    """A command's help epilog: its examples (each checked by tests/test_docs_commands.py),
    then the exit codes."""
    return "exemples :\n" + "".join(f"  {line}\n" for line in examples) + "\n" + HELP
