"""The fictional sample county's generator (data: the registry, reports in every rendering, prose; render:
HTML, Word, pipe text and cells CSV writers) and the consistent-report builder the tests use (synth).

May import: the shared modules (config, values, layouts) and model — never read, rules, review, batch or cli.
Not part of the code fingerprint: editing the generator re-renders no review.
"""
