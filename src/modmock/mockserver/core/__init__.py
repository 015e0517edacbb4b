"""The vendor-neutral core: clock, verdicts, rules, limits, tasks, callbacks, journal, faults."""
