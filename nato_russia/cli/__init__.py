"""The nrr command line: `app.py` holds the app and `main`, `common.py` what every command
shares, each other module the commands of one concern. Only entry.py imports it."""
