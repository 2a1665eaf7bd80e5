"""`scripts/bench report`: runs the benchmarks' sections, stores each one's results under
bench/results/ with the commit and the machine's load at the time, and assembles bench/REPORT.md
and its charts from whatever is stored."""
