"""Demo data: the Linfen demo tree (``tree``), the benchmark city generator (``generator``), the word
lists both draw names from (``words``), and the demo content added through the domain services
(``content``)."""
