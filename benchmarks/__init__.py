"""Speed and scale benchmarks (`make bench`): timing is measured here, never asserted in tests."""
