"""What `pip install` users get: a wheel built from the repo with `python -m build` carries the
shipped model, and the console commands work from an environment that holds only that wheel.

The environment is a fresh virtual environment with the wheel installed by pip (`--no-deps`); its
dependencies (torch, fastai, ...) are borrowed read-only from the development environment through a
`.pth` path entry, so the test does not install 5 GB again. The development checkout is not on its
path (path entries do not run the editable install's hook): `gender_nbdev` can only come from the wheel."""
from __future__ import annotations
import json, os, site, subprocess, sys, zipfile
from pathlib import Path

import pytest
from gender_nbdev.data import make_celeba_fixture

pytestmark = pytest.mark.xdist_group('wheel')  # one pytest-xdist worker builds the wheel once
ROOT = Path(__file__).resolve().parent.parent

@pytest.fixture(scope='module')
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp('dist')
    subprocess.run([sys.executable, '-m', 'build', '--wheel', '--no-isolation', '--outdir', str(dist), str(ROOT)],
                   check=True, capture_output=True, cwd=dist)
    return next(dist.glob('gender_nbdev-*.whl'))

@pytest.fixture(scope='module')
def clean_env(wheel, tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp('env')/'venv'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(venv)], check=True)
    subprocess.run([sys.executable, '-m', 'pip', '--python', str(venv/'bin'/'python'), 'install', '-q', '--no-deps',
                    '--no-index', str(wheel)], check=True, capture_output=True)
    sp = next((venv/'lib').glob('python3*/site-packages'))
    (sp/'zz_borrowed_dependencies.pth').write_text('\n'.join(site.getsitepackages()) + '\n')
    return venv

def _run(cmd:list, cwd:Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')} | dict(GENDER_NBDEV_CACHE=str(cwd/'cache'))
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, env=env)

def test_wheel_carries_the_model(wheel):
    zf = zipfile.ZipFile(wheel)
    names = zf.namelist()
    assert {'gender_nbdev/shipped/model.safetensors', 'gender_nbdev/shipped/model.json'} <= set(names)
    assert not [n for n in names if n.lower().endswith(('.jpg', '.jpeg', '.png'))], 'no images in the package'
    entry_points = zf.read(next(n for n in names if n.endswith('entry_points.txt'))).decode()
    for cmd in ('gender_nbdev_train', 'gender_nbdev_evaluate', 'gender_nbdev_predict'): assert cmd in entry_points

def test_commands_work_from_the_wheel(clean_env, tmp_path):
    where = _run([clean_env/'bin'/'python', '-c', 'import gender_nbdev; print(gender_nbdev.__file__)'], tmp_path)
    assert where.stdout.startswith(str(clean_env)), where
    data = make_celeba_fixture(tmp_path/'celeba', n=(20, 10, 10))
    pred = _run([clean_env/'bin'/'gender_nbdev_predict', '--no-detect', data/'img_align_celeba'/'000001.jpg'], tmp_path)
    assert pred.returncode == 0, pred.stderr
    header, row = pred.stdout.splitlines()
    assert header == 'path,face,label,p_male' and row.split(',')[2] in ('female', 'male')
    ev = _run([clean_env/'bin'/'gender_nbdev_evaluate', '--data', data], tmp_path)
    assert ev.returncode == 0, ev.stderr
    metrics = json.loads(ev.stdout)
    assert metrics['n'] == 10 and metrics['model'].startswith(str(clean_env)), metrics['model']
