"""The web demo (`gender_nbdev_demo`) as people use it, in a real browser.

The command is started in a process of its own on a free port of 127.0.0.1; Debian's Chromium, driven
by Playwright (`/usr/bin/chromium`; Playwright never downloads a browser here), opens the page, uploads
a photo and reads each face's label from the page, uploads a text file renamed .jpg and reads the
message, and the server must still answer afterwards. Every request the browser makes is recorded, and
any that leaves 127.0.0.1 is blocked and fails the test. The function the page calls is tested without
a browser, and a folder written by `gender_nbdev_demo --export` must serve the page with `python app.py`.
"""
from __future__ import annotations
import os, socket, subprocess, sys, time, urllib.error, urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip('gradio', reason='the web demo needs the demo extra: pip install "gender_nbdev[demo]"')
pytestmark = pytest.mark.xdist_group('app')  # one pytest-xdist worker runs the server and the browser
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PHOTOS = ROOT.parent/'shared'/'data'/'celeba-photos-dev'/'images'
CHROMIUM = os.environ.get('GENDER_NBDEV_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def _status(url:str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r: return r.status
    except (urllib.error.URLError, OSError): return 0

def _serve(cmd:list, port:int, tmp:Path, env:dict|None=None, timeout:float=90) -> subprocess.Popen:
    "Start `cmd` (a server on `port`) and wait until its page answers HTTP 200."
    log = open(tmp/f'server-{port}.log', 'w')
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=tmp,
                            env=dict(os.environ, OMP_NUM_THREADS='1', TMPDIR=str(tmp), **(env or {})))
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None: pytest.fail(f'the server exited ({proc.returncode}):\n' + (tmp/f'server-{port}.log').read_text()[-3000:])
        if _status(f'http://127.0.0.1:{port}/') == 200: return proc
        time.sleep(0.5)
    proc.kill()
    pytest.fail(f'the server did not answer within {timeout} s:\n' + (tmp/f'server-{port}.log').read_text()[-3000:])

def _stop(proc:subprocess.Popen):
    proc.terminate()
    try: proc.wait(10)
    except subprocess.TimeoutExpired: proc.kill()

@pytest.fixture(scope='module')
def photo(tmp_path_factory) -> Path:
    "A photo with two faces: two photos of celeba-photos-dev side by side when at hand, else two photos made from the fixture."
    from PIL import Image
    tmp = tmp_path_factory.mktemp('photos')
    if PHOTOS.is_dir(): parts = [Image.open(p).convert('RGB') for p in sorted(PHOTOS.glob('*.jpg'))[:2]]
    else:
        import numpy as np
        from gender_nbdev.data import make_celeba_fixture
        from gender_nbdev.evaluate import pasted_photo
        from gender_nbdev.images import open_rgb
        data, rng = make_celeba_fixture(tmp/'celeba', n=(2, 1, 1)), np.random.default_rng(0)
        parts = [pasted_photo(open_rgb(p), rng) for p in sorted((data/'img_align_celeba').glob('*.jpg'))[:2]]
    img = Image.new('RGB', (520, 260), 'white')
    for i, part in enumerate(parts): img.paste(part.resize((240, 240)), (10 + 260 * i, 10))
    img.save(tmp/'two.jpg', quality=92)
    return tmp/'two.jpg'

@pytest.fixture(scope='module')
def server(tmp_path_factory):
    "Base URL of `gender_nbdev_demo --port P` on 127.0.0.1 (a free port)."
    tmp, port = tmp_path_factory.mktemp('demo'), _free_port()
    proc = _serve([str(BIN/'gender_nbdev_demo'), '--port', str(port)], port, tmp)
    yield f'http://127.0.0.1:{port}/'
    _stop(proc)
    assert proc.returncode == 0 and not list(tmp.glob('gender_nbdev_demo-*')), 'Gradio\'s temporary files were not removed'

def test_the_page_in_chromium(server, photo, tmp_path):
    "Upload a photo -> a label per face on the page; a text file named .jpg -> a message; the server still answers; nothing off 127.0.0.1."
    if not Path(CHROMIUM).exists(): pytest.fail(f'{CHROMIUM} not found: run tools/setup.sh (apt-get install chromium)')
    from playwright.sync_api import sync_playwright
    notes = tmp_path/'notes.jpg'
    notes.write_text('a text file renamed .jpg\n')
    requests, errors = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context()
            def _route(route):
                requests.append(route.request.url)
                if urlsplit(route.request.url).hostname == '127.0.0.1': route.continue_()
                else: route.abort()
            ctx.route('**/*', _route)
            page = ctx.new_page()
            page.on('pageerror', lambda e: errors.append(str(e)))
            page.goto(server, wait_until='load')
            page.wait_for_load_state('networkidle')
            assert 'not anyone\'s gender identity' in page.locator('body').inner_text()
            assert page.locator('a', has_text='model card').get_attribute('href').endswith('model_card.html')

            def upload(path:Path) -> str:
                "Upload `path` and wait for the page's message about it."
                page.locator('#photo input[type=file]').set_input_files(str(path))
                page.wait_for_function("() => /found|Cannot use|went wrong/.test(document.querySelector('#message')?.innerText || '')",
                                       timeout=60_000)
                return page.locator('#message').inner_text().strip()

            message = upload(photo)
            assert message.startswith('2 faces found'), message
            page.wait_for_function("() => (document.querySelector('#faces')?.innerText.match(/\\b(fe)?male\\b/g) || []).length >= 2",
                                   timeout=30_000)  # the table is drawn just after the message
            words = page.locator('#faces').inner_text().split()
            assert len([w for w in words if w in ('female', 'male')]) == 2, words
            assert page.locator('#result img').count() == 1  # the photo with its boxes

            page.goto(server, wait_until='load')  # a fresh page for the next upload
            page.wait_for_load_state('networkidle')
            message = upload(notes)
            assert message == 'Cannot use this file: this file is not an image this page can read (JPEG, PNG, GIF, WebP, BMP or TIFF).'
        finally: browser.close()
    assert not errors, f'JavaScript errors: {errors}'
    assert _status(server) == 200  # still serving
    offsite = sorted({u for u in requests if urlsplit(u).hostname != '127.0.0.1' and not u.startswith(('data:', 'blob:'))})
    assert not offsite, f'requests that left 127.0.0.1: {offsite}'

def test_the_function_the_page_calls(photo, tmp_path):
    "`predict_upload` on a photo, a bomb, a truncated JPEG and an empty file, without a browser."
    from PIL import Image
    from gender_nbdev.app import predict_upload
    from gender_nbdev.inference import GenderPredictor
    predictor = GenderPredictor()
    img, table, message = predict_upload({'path': str(photo)}, predictor)
    assert (len(table), img.size, message.startswith('**2 faces found.**')) == (2, (520, 260), True)
    assert set(table.label) <= {'female', 'male'} and table.probability.between(0.5, 1).all()
    Image.new('1', (30_000, 30_000)).save(tmp_path/'bomb.png')
    (tmp_path/'half.jpg').write_bytes(photo.read_bytes()[:2000])
    (tmp_path/'empty.png').write_bytes(b'')
    for name, expected in [('bomb.png', 'too large'), ('half.jpg', 'damaged or incomplete'), ('empty.png', 'the file is empty')]:
        img, table, message = predict_upload({'path': str(tmp_path/name)}, predictor)
        assert img is None and len(table) == 0 and message.startswith('**Cannot use this file:**') and expected in message, message

def test_without_gradio_one_line_says_how_to_get_it(tmp_path):
    "The command without Gradio: exit status 2 and one line naming the extra."
    (tmp_path/'gradio.py').write_text('raise ImportError("no gradio here")\n')  # shadows the real package
    res = subprocess.run([str(BIN/'gender_nbdev_demo')], capture_output=True, text=True, cwd=tmp_path,
                         env=dict(os.environ, PYTHONPATH=str(tmp_path)), timeout=120)
    assert (res.returncode, res.stderr.strip()) == (2, 'error: the web demo needs Gradio: pip install "gender_nbdev[demo]"')

def test_the_exported_space_runs(tmp_path):
    "`gender_nbdev_demo --export DIR` writes a Space folder; `python DIR/app.py` serves the page."
    res = subprocess.run([str(BIN/'gender_nbdev_demo'), '--export', str(tmp_path/'space')], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    space = tmp_path/'space'
    assert sorted(p.name for p in space.iterdir()) == ['README.md', 'app.py', 'requirements.txt']
    readme = (space/'README.md').read_text()
    assert readme.startswith('---\ntitle:') and '\nsdk: gradio\n' in readme and 'non-commercial' in readme
    port = _free_port()
    proc = _serve([sys.executable, str(space/'app.py')], port, tmp_path, env=dict(GRADIO_SERVER_PORT=str(port)))
    try: assert _status(f'http://127.0.0.1:{port}/config') == 200
    finally: _stop(proc)
