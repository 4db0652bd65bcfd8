"""For ``scrapyd-deploy`` only, which builds the egg it uploads with ``python setup.py bdist_egg``.

Without this file scrapyd-deploy writes its own setup.py into the working tree, for a package named
"project" whose metadata pyproject.toml then overrides. Everything, including the ``scrapy`` entry
point that tells scrapyd the egg's settings module, is declared in pyproject.toml. Install hfhub
with pip, not with this file.
"""

from setuptools import setup

setup()
