"""``python -m restomairie``: the same command line as ``restomairie``."""

from restomairie.cli import main

if __name__ == "__main__":
    main()
