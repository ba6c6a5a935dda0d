"""Text analysis for Openline: plain Python taking plain data, with no Django import.

Kept apart so models can be evaluated and benchmarked on their own (`make eval`, `make
bench`) and run in any worker.
"""
