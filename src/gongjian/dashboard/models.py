"""The battle map keeps no tables of its own: the day's warning snapshot and tallies it reads
(`WarningSnapshot`, `WarningTally`) are the ledger's, in `projects/models.py`."""
