# Sphinx configuration of the offline docs site (Jupyter Book look: Sphinx + myst-nb + sphinx-book-theme).
# tools/docs.py copies this file into the build folder next to the converted pages and a site.json
# (title, author, repository) taken from settings.ini; edit it here, not in the build folder.
import json
from pathlib import Path

site = json.loads((Path(__file__).parent/'site.json').read_text(encoding='utf-8'))

project = site['title']
author = site['author']
copyright = site['copyright']
html_title = site['title']
root_doc = 'index'

extensions = ['myst_nb']
exclude_patterns = ['_build', '**.ipynb_checkpoints', 'site.json']

# Notebooks are never executed here: plots and tables come from the committed outputs.
nb_execution_mode = 'off'
nb_merge_streams = True
nb_ipywidgets_js = {}  # myst-nb would load require.js and the widget manager from a CDN
myst_enable_extensions = ['colon_fence', 'dollarmath', 'amsmath', 'attrs_inline', 'attrs_block', 'deflist']
# tools/docs.py has already rewritten every internal link to the built page (and its anchor), so
# links are written to HTML as they are, not resolved again as Sphinx cross-references.
myst_all_links_external = True
# nbdev's API headings (### for functions, #### for methods) may follow a page title directly.
suppress_warnings = ['myst.header']

# MathJax from the local copy made by tools/docs.py (npm mathjax@3, tools/docs_site/package.json).
mathjax_path = 'mathjax/tex-chtml.js'
mathjax3_config = {'options': {'processHtmlClass': 'tex2jax_process|mathjax_process|math|output_area'}}

html_theme = 'sphinx_book_theme'
html_static_path = ['_static']
html_css_files = ['custom.css']
html_show_sphinx = False
html_copy_source = True
html_theme_options = {
    'home_page_in_toc': True,
    'show_navbar_depth': 1,
    'show_toc_level': 2,
    'toc_title': 'On this page',
    'repository_url': site['repository_url'],
    'repository_branch': site['branch'],
    'path_to_docs': 'nbs',
    'use_repository_button': bool(site['repository_url']),
    'use_download_button': True,
    'use_fullscreen_button': True,
    'navigation_with_keys': False,
    'navbar_persistent': [],  # the search field lives in the sidebar, as in Jupyter Book
}
