"""One agency's review: the numbers it speaks of (facts), templated prose (narrative), figures (charts),
escaped HTML pieces (views), what review.ipynb calls (review), what a review looked up in the data folder
(inputs), the report's cells as CSV (export), what opens every page (pages) and notebook → HTML (render).

May import: the shared modules (config, values, layouts, paths, jsonsafe, spreadsheet_safe, registry), model,
read, parse_cache, rules, waivers and score — never batch, importing, checking or cli.
"""
