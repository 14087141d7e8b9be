"""One module per file kind: functions from a scanned document to findings."""
