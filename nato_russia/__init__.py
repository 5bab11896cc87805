"""nrr: a cited command-line reference on NATO-Russia relations."""

__version__ = "0.2.0"
