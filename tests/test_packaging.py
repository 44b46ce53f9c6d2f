"""What `pip install` users get: a wheel built from the repo with `python -m build` carries the
shipped model, the face detector's weights and the console commands, and no image files. (Installing that wheel into a fresh
virtual environment with today's releases and running its commands is `tools/check_wheel.sh`, a
step of `.ci/run`: it downloads and installs several GB, which is no job for a unit test.)"""
from __future__ import annotations
import subprocess, sys, zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group('wheel')  # one pytest-xdist worker builds the wheel once
ROOT = Path(__file__).resolve().parent.parent

@pytest.fixture(scope='module')
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp('dist')
    subprocess.run([sys.executable, '-m', 'build', '--wheel', '--no-isolation', '--outdir', str(dist), str(ROOT)],
                   check=True, capture_output=True, cwd=dist)
    return next(dist.glob('gender_nbdev-*.whl'))

def test_wheel_carries_the_model_and_commands(wheel):
    zf = zipfile.ZipFile(wheel)
    names = set(zf.namelist())
    assert {'gender_nbdev/shipped/model.safetensors', 'gender_nbdev/shipped/model.json', 'gender_nbdev/blazeface/front.safetensors',
            'gender_nbdev/blazeface/back.safetensors', 'gender_nbdev/blazeface/NOTICE.md'} <= names
    assert not [n for n in names if n.lower().endswith(('.jpg', '.jpeg', '.png'))], 'no images in the package'
    entry_points = zf.read(next(n for n in names if n.endswith('entry_points.txt'))).decode()
    for cmd in ('gender_nbdev_train', 'gender_nbdev_evaluate', 'gender_nbdev_predict', 'gender_nbdev_benchmark'):
        assert f'{cmd} = ' in entry_points, cmd
    metadata = zf.read(next(n for n in names if n.endswith('METADATA'))).decode().splitlines()
    runtime = [l.split(':', 1)[1].strip() for l in metadata if l.startswith('Requires-Dist:') and 'extra ==' not in l]
    assert any(r.startswith('torch') for r in runtime), runtime
    assert not [r for r in runtime if r.startswith('accelerate')], 'Accelerate is only needed for several processes'
