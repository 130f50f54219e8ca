// MediaIO — see the issue that builds this target.
