"""Commands kept out of cli.py, each module adding its own to the app (`register(app)`)."""
