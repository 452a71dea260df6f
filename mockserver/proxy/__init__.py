"""`mockserver proxy`: forward an API's traffic to the real server, check every exchange against the contract,
and answer from the mock what the upstream lacks (or what `--mock` asks for).

A top layer, like the command line: it builds the mock's app (serving) and reads the contract's report types
(contract), which may not import each other.
"""
