"""What citizens send back, understood without a database: poll answers, moderation verdicts,
and the announcement that answers a question.

Pure Python (plus numpy and the offline models that ship in their wheels): nothing here imports
Django or `gateway/` (tests/test_layers.py checks it), so `crieur moderate` and `crieur ask` run
on a folder of files, and the gateway calls the same code with rows it read.
"""
