"""`xxgk run`: many agencies' reviews rendered in parallel, incrementally, isolated and locked (run), in fresh
kernels forked from a warm zygote (zygote, kernels); the year's index, overview and CSVs (overview) and the files
reviewers hand over (handover, words in handover.yaml).

May import: everything below it — the shared modules, model, read, parse_cache, sandbox, rules, waivers,
score and review — never importing or cli.
"""
