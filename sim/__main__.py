"""``python -m sim`` — the same as the ``retention-lab`` command."""

from sim.cli import main

if __name__ == "__main__":
    main()
