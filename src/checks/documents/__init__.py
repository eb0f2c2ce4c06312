"""The documents generated from the package: the README counts and known problems (`readme`), the data dictionary
(`dictionary`) and the charts (`charts`), each kept fresh by a test."""
