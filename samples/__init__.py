"""arshif's sample-site farm: three deterministic Arabic news publishers served locally.

Modules: publishers (who), stories/pools/topics (seeded text), sites/* (one renderer per
publisher), pages (HTTP responses), farm (build_farm, serve, running_farm), config
(sites_config), gold (gold records, corpus export), cli (serve_command, farm_group),
loadtest (req/s of a running farm).
"""
