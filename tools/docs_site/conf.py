# Sphinx configuration of the offline docs site (Jupyter Book look: Sphinx + myst-nb + sphinx-book-theme).
# tools/docs.py runs sphinx-build with `-c tools/docs_site` on the pages it converts into its build
# folder; the title, author and repository come from settings.ini.
import configparser
from pathlib import Path

cfg = configparser.ConfigParser(delimiters=['='])
cfg.read(Path(__file__).resolve().parents[2]/'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

project = html_title = cfg.get('title', cfg.get('lib_name', 'docs'))
author = cfg.get('author', '')
copyright = cfg.get('copyright', '')
root_doc = 'index'

extensions = ['myst_nb']
exclude_patterns = ['_build', '**.ipynb_checkpoints']

# Notebooks are never executed here: plots and tables come from the committed outputs.
nb_execution_mode = 'off'
nb_merge_streams = True
nb_render_markdown_format = 'myst'  # Markdown outputs (the README's computed tables) as the pages' own MyST: with tables
nb_ipywidgets_js = {}  # myst-nb would load require.js and the widget manager from a CDN
# `{.lead}` on the summary line, `{.nbdev-api}` on API headings, `{.nbdev-source}` on [source] links.
# No dollarmath: no page has math, so no page loads MathJax (and a `$` in prose stays a `$`).
myst_enable_extensions = ['attrs_inline', 'attrs_block']
# tools/docs.py has already rewritten every internal link to the built page (and its anchor), so
# links are written to HTML as they are, not resolved again as Sphinx cross-references.
myst_all_links_external = True
# nbdev's API headings (### for functions, #### for methods) may follow a page title directly.
suppress_warnings = ['myst.header']

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
    'repository_url': cfg.get('git_url', ''),
    'repository_branch': cfg.get('branch', 'main'),
    'path_to_docs': 'nbs',
    'use_repository_button': bool(cfg.get('git_url')),
    'use_download_button': True,
    'use_fullscreen_button': True,
    'navigation_with_keys': False,
    'navbar_persistent': [],  # the search field lives in the sidebar, as in Jupyter Book
}
