"""New and changed records: drafts checked before writing, ids, durations, the atomic writer."""
