"""The nrr command line: arguments, options and exit codes. The work happens elsewhere.

`app.py` holds the app and its entry point (`main`); `common.py` what every command shares;
each other module the commands of one concern. Nothing outside this package imports it, except
the console script (entry.py), which runs `app.main`.
"""
