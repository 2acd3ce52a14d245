"""Pure functions of (dataset, as_of): follow-ups, segments, KPIs, care moments, calendar feeds.
No clock, no files, no printing."""
