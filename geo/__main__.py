"""``python -m geo`` is the ``flashpoints`` command (useful before the shell finds the script)."""

from .cli import main

main()
