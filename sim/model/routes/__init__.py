"""The routes by which footage reaches police: their registry, and one module per route.

`registry` declares each route once (name, words, colour, endings, metrics, whether its
disclosures need consent or a warrant); `portal`, `emergency` and `legal` model each
workflow; `disclosure` holds the steps the queued routes share.
"""
