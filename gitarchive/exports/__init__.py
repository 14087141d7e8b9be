"""``gitarchive export``: a version or the cumulative view in the formats other tools read.

``source`` reads what to export (the versions ``show --at`` reads, the view
``cumulative`` reads), one module per format renders it (``exportify`` csv,
``m3u`` m3u8, ``xspf``, ``document`` json), ``write`` puts the files in place
through ``target``, which refuses links and devices and replaces OUT in one
rename. ``export sqlite`` is :mod:`gitarchive.index.export`.
"""
