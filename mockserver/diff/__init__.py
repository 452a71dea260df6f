"""`mockserver diff`: what changed between two versions of a spec, and whom it breaks (docs/diff.md)."""
