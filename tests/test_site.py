"""The offline docs site in a real browser.

Builds the site with the README's docs command (`tools/docs.py`, into a temporary folder; README.md is
not touched), serves it from 127.0.0.1 with the standard library's http.server, and opens every page
in Debian's Chromium driven by Playwright (`/usr/bin/chromium`, installed by tools/setup.sh; Playwright
never downloads a browser here). Each page must have a title and an h1, show every image, link only to
pages and anchors that exist, and make no request to any host but 127.0.0.1.
"""
from __future__ import annotations
import functools, html.parser, importlib.util, os, subprocess, sys, threading, urllib.error, urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

pytestmark = pytest.mark.xdist_group('site')  # one pytest-xdist worker builds the site once
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get('GENDER_NBDEV_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']

def _docs_module():
    spec = importlib.util.spec_from_file_location('gender_nbdev_docs', ROOT/'tools'/'docs.py')
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod

docs = _docs_module()
PAGES = [p.html for p in docs.site_pages()] + ['genindex.html', 'search.html']

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The site built by tools/docs.py into a temporary folder."
    tmp = tmp_path_factory.mktemp('site')
    out = tmp/'html'
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'docs.py'), '--no-readme', '--out', str(out),
                        '--build-dir', str(tmp/'src')], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, f'tools/docs.py failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}'
    return out

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

@pytest.fixture(scope='module')
def server(site):
    "Base URL of an http.server on 127.0.0.1 (a free port) serving the built site."
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(site)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown()
    httpd.server_close()

@pytest.fixture(scope='module')
def browser_context(tmp_path_factory, server):
    "A headless Chromium context; every request it makes is recorded, and any off 127.0.0.1 is blocked."
    if not Path(CHROMIUM).exists(): pytest.fail(f'{CHROMIUM} not found: run tools/setup.sh (apt-get install chromium)')
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(str(tmp_path_factory.mktemp('chromium-profile')),
                                                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        requests = []
        def _route(route):
            requests.append(route.request.url)
            if urlsplit(route.request.url).hostname == '127.0.0.1': route.continue_()
            else: route.abort()
        ctx.route('**/*', _route)
        yield ctx, requests
        ctx.close()

class _Ids(html.parser.HTMLParser):
    "The id and name attributes of an HTML page."
    def __init__(self):
        super().__init__()
        self.ids = set()
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ('id', 'name') and v: self.ids.add(v)

@functools.lru_cache(maxsize=None)
def _fetch(url:str) -> tuple[int, frozenset]:
    "(HTTP status, ids in the page) of a URL on the local server."
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body, status, ctype = r.read(), r.status, r.headers.get('Content-Type', '')
    except urllib.error.HTTPError as e: return e.code, frozenset()
    if 'html' not in ctype: return status, frozenset()
    p = _Ids()
    p.feed(body.decode('utf-8', errors='replace'))
    return status, frozenset(p.ids)

def test_every_built_page_is_checked(site):
    built = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html') if not p.relative_to(site).parts[0].startswith('_'))
    assert built == sorted(PAGES)

def test_sidebar_in_reading_order(site):
    "The sidebar lists home, the book's chapters, API pages by file name, internals, then the model card."
    from html.parser import HTMLParser
    class Nav(HTMLParser):
        def __init__(self):
            super().__init__(); self.depth, self.links = 0, []
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == 'nav' and 'bd-docs-nav' in (a.get('class') or ''): self.depth = 1
            elif self.depth and tag == 'nav': self.depth += 1
            if self.depth and tag == 'a' and a.get('href'): self.links.append(a['href'])
        def handle_endtag(self, tag):
            if self.depth and tag == 'nav': self.depth -= 1
    nav = Nav()
    nav.feed((site/'index.html').read_text(encoding='utf-8'))
    hrefs = [urldefrag(h)[0] or 'index.html' for h in nav.links]
    assert [h for h in hrefs if h.endswith('.html')] == [p.html for p in docs.site_pages()]
    chapters = [p.html for p in docs.site_pages() if p.caption == 'The book']
    assert len(chapters) >= 8 and [h for h in hrefs if h.endswith('.html')][1:len(chapters) + 1] == chapters, 'the book comes first'

@pytest.mark.parametrize('page', PAGES)
def test_page(page, server, browser_context):
    "Title, h1, every image loaded, every internal link and anchor resolves, no request leaves 127.0.0.1."
    ctx, requests = browser_context
    requests.clear()
    errors = []
    pg = ctx.new_page()
    pg.on('pageerror', lambda e: errors.append(str(e)))
    try:
        resp = pg.goto(server + page, wait_until='load')
        assert resp is not None and resp.status == 200, f'{page}: HTTP {resp and resp.status}'
        pg.wait_for_load_state('networkidle')
        assert pg.title().strip(), f'{page}: empty <title>'
        h1 = [t.strip() for t in pg.locator('h1').all_inner_texts() if t.strip()]
        assert h1, f'{page}: no h1 with text'
        images = pg.evaluate("""async () => {
            const imgs = Array.from(document.images);
            imgs.forEach(i => { i.loading = 'eager'; });
            await Promise.all(imgs.map(i => i.decode().catch(() => null)));
            return imgs.map(i => [i.currentSrc || i.src, i.complete, i.naturalWidth]); }""")
        broken = [src for src, complete, w in images if not complete or w == 0]
        assert not broken, f'{page}: images that did not load: {broken}'
        hrefs = pg.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        assert not errors, f'{page}: JavaScript errors: {errors}'
    finally: pg.close()
    offsite = sorted({u for u in requests if urlsplit(u).hostname != '127.0.0.1' and not u.startswith(('data:', 'blob:'))})
    assert not offsite, f'{page}: requests that left 127.0.0.1: {offsite}'
    bad = []
    for href in sorted(set(hrefs)):
        if urlsplit(href).netloc != urlsplit(server).netloc: continue
        url, frag = urldefrag(href)
        status, ids = _fetch(url)
        if status != 200: bad.append(f'{href} -> HTTP {status}')
        elif frag and url.endswith('.html') and frag not in ids: bad.append(f'{href} -> no id {frag!r}')
    assert not bad, f'{page}: broken internal links:\n' + '\n'.join(bad)

def test_site_shows_committed_figures(site):
    "Plots and images in the committed notebook outputs reach the site (no re-execution needed)."
    nbs = docs.nbs_path()
    sources = [(nbs/p.src).read_text(encoding='utf-8') for p in docs.site_pages()]
    kinds = [(mime, ext) for mime, ext in (('image/png', 'png'), ('image/jpeg', 'jpg')) if any(f'"{mime}"' in s for s in sources)]
    assert kinds, 'no notebook has a committed figure'
    for mime, ext in kinds:
        assert list((site/'_images').glob(f'*.{ext}')), f'notebooks have {mime} outputs but the site has no .{ext} images'

def test_markdown_output_tables_render(site):
    "Tables a notebook prints as Markdown (the index's computed Results) reach the site as tables, not as lines of pipes."
    html = (site/'index.html').read_text(encoding='utf-8')
    assert html.count('<table') >= 3, 'the index Results tables were not rendered as HTML tables'
    assert '|---|' not in html and '|—|' not in html
