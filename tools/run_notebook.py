#!/usr/bin/env python
"""Run notebooks top to bottom and save their outputs, as nbdev_test runs them but keeping the outputs.

    .venv/bin/python tools/run_notebook.py nbs/tutorials/01_faces_and_labels.ipynb [more.ipynb ...]

Cells marked `#| eval: false` are skipped (their outputs cleared), as nbdev_test skips them: unlike
`jupyter nbconvert --execute`, which runs them (a real download, a server that never returns). Each
notebook runs in its own folder, in the mode `run_mode()` picks (full on real CelebA: set
GENDER_NBDEV_DATA), and is cleaned with nbdev_clean afterwards. Prints each notebook's time.
"""
import sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.clean import clean_nb
from nbdev.process import extract_directives

def _skipped(cell) -> bool:
    "Is `cell` a code cell marked `#| eval: false`?"
    if cell.cell_type != 'code': return False
    directives = extract_directives(cell, remove=False)
    return directives.get('eval:', [''])[0].lower() == 'false'

def run_notebook(fn:Path) -> float:
    "Run `fn` in place (skipping `eval: false` cells), save it with its outputs, and return the seconds it took."
    nb, start = read_nb(fn), time.time()
    for cell in nb.cells:
        if _skipped(cell): cell.outputs, cell.execution_count = [], None
    with working_directory(fn.parent):
        CaptureShell(fn).run_all(nb, exc_stop=True, preproc=_skipped)
    clean_nb(nb)
    write_nb(nb, fn)
    return time.time() - start

if __name__ == '__main__':
    for name in sys.argv[1:]: print(f'{name}: {run_notebook(Path(name).resolve()):.0f} s', flush=True)
