import datetime as dt

# Browser tests run on the machine's real clock (conftest.py): inspectors' certificates must be valid on any date
# the suite may run (CI has run it in 2031).
CERTS_VALID_TO = dt.date(2099, 12, 31)
