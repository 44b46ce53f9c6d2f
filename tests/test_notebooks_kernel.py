"""Every notebook, top to bottom, in a real Jupyter kernel (as JupyterLab runs it), in smoke mode.

`nbdev_test` runs notebooks in its own executor (execnb) with `IN_TEST` set; JupyterLab users run them
in an ipykernel. This test does the latter with nbclient: one test per notebook under nbs/ (found as
`nbdev_test` finds them: recursive, skipping names that start with `_` or `.`, and checkpoints),
`GENDER_NBDEV_MODE=smoke` and no `IN_TEST`, working directory = the notebook's folder. It executes an
in-memory copy, so committed outputs are never touched. Skipped, as `nbdev_test` skips them:
cells marked `#| eval: false`, cells with a flag from `tst_flags` in settings.ini (`#| slow`,
`#| cuda`), the `nbdev_export()` cell (it would rewrite the library), and notebooks whose front matter
says `skip_exec: true`. A failure shows the failing cell and its traceback.
"""
from __future__ import annotations
import configparser, os, re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
CELL_TIMEOUT = int(os.environ.get('GENDER_NBDEV_CELL_TIMEOUT', 600))  # seconds per cell

def _settings() -> dict:
    cp = configparser.ConfigParser(delimiters=['='])
    cp.read(ROOT/'settings.ini', encoding='utf-8')
    return dict(cp['DEFAULT'])

CFG = _settings()
NBS = ROOT/CFG.get('nbs_path', 'nbs')
SKIP_FLAGS = set(CFG.get('tst_flags', '').split())

def _notebooks() -> list[Path]:
    res = []
    for p in sorted(NBS.rglob('*.ipynb')):
        rel = p.relative_to(NBS)
        if any(part.startswith(('_', '.')) for part in rel.parts): continue
        if rel.parent != Path('.') and not str2bool(CFG.get('recursive', 'False')): continue
        res.append(p)
    return res

def str2bool(s:str) -> bool: return str(s).strip().lower() in ('1', 'true', 'yes', 'y', 'on')

_re_directive = re.compile(r'^\s*#\s*\|\s*(.*?)\s*$')

def directives(src:str) -> dict:
    "Leading nbdev/Quarto `#|` lines of a code cell as {name: value} (`#| slow` -> {'slow': ''})."
    res = {}
    for line in src.splitlines():
        m = _re_directive.match(line)
        if not m:
            if line.strip(): break
            continue
        key, _, val = m.group(1).partition(':')
        if key.strip(): res[key.strip()] = val.strip().strip('\'"')
    return res

def skipped(cell) -> str|None:
    "Why `nbdev_test` would not run this cell, or None."
    if cell.cell_type != 'code': return None
    if 'nbdev_export(' in cell.source: return 'nbdev_export'
    d = directives(cell.source)
    if d.get('eval', '').lower() == 'false': return 'eval: false'
    flags = SKIP_FLAGS & d.keys()
    return f"flag {', '.join(sorted(flags))}" if flags else None

def skip_exec(nb) -> bool:
    "Front matter `skip_exec: true` (a raw YAML cell, or `- skip_exec: true` in the title cell)."
    for cell in nb.cells[:3]:
        if cell.cell_type in ('raw', 'markdown') and re.search(r'^[-\s]*skip_exec:\s*true\s*$', cell.source, re.M | re.I):
            return True
    return False

@pytest.mark.parametrize('path', _notebooks(), ids=lambda p: p.relative_to(NBS).as_posix())
def test_notebook_runs_in_kernel(path:Path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    if skip_exec(nb): pytest.skip('front matter skip_exec: true')
    nb.cells = [c for c in nb.cells if not skipped(c)]
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs, c.execution_count = [], None
    monkeypatch.setenv('GENDER_NBDEV_MODE', 'smoke')
    monkeypatch.delenv('IN_TEST', raising=False)  # what JupyterLab users have: the mode comes from GENDER_NBDEV_MODE
    monkeypatch.setenv('PYDEVD_DISABLE_FILE_VALIDATION', '1')  # quiet debugpy's frozen-modules note
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name='python3', allow_errors=False,
                            resources={'metadata': {'path': str(path.parent)}})
    error = None
    try: client.execute()
    except CellExecutionError as e: error = re.sub(r'\x1b\[[0-9;]*m', '', str(e))  # the cell and its traceback, uncoloured
    if error: pytest.fail(f'{path.relative_to(ROOT)}: a cell failed in the kernel\n{error}', pytrace=False)
