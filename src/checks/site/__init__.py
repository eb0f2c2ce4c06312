"""The report view: the source text with every figure, reading and non-figure marked (`report_view`, `marks`), and
its anchors as W3C Web Annotations (`annotations`)."""
