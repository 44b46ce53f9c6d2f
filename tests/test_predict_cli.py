"""`gender_nbdev_predict` as users run it: files, folders and globs, the three output formats, each
face's box, an unreadable file that is reported on stderr (exit status 1) while every other file is
predicted, and an empty folder."""
from __future__ import annotations
import json, os, shutil, subprocess, sys
from pathlib import Path

import numpy as np
from gender_nbdev.data import make_celeba_fixture

BIN = Path(sys.executable).parent

def _predict(*args, cwd:Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN/'gender_nbdev_predict'), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=dict(os.environ, GENDER_NBDEV_CACHE=str(cwd/'cache')))

def test_formats_and_a_broken_file(tmp_path):
    data = make_celeba_fixture(tmp_path/'celeba', n=(4, 2, 2))
    photos = tmp_path/'photos'; photos.mkdir()
    for name in ('000001.jpg', '000002.jpg'): shutil.copy(data/'img_align_celeba'/name, photos/name)
    (photos/'broken.jpg').write_bytes(b'not an image at all')
    res = _predict(photos, data/'img_align_celeba'/'00000[34].jpg', '--no-detect', cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip() == f"{photos/'broken.jpg'}: unreadable image (cannot identify image file {str(photos/'broken.jpg')!r})"
    lines = res.stdout.splitlines()
    assert lines[0] == 'path,face,x,y,w,h,label,p_male' and len(lines) == 1 + 4
    assert {l.split(',')[6] for l in lines[1:]} <= {'female', 'male'}
    js = _predict(photos/'000001.jpg', '--no-detect', '--format', 'json', cwd=tmp_path)
    assert js.returncode == 0 and list(json.loads(js.stdout)[0]) == ['path', 'face', 'x', 'y', 'w', 'h', 'label', 'p_male']
    table = _predict(photos/'000001.jpg', '--no-detect', '--format', 'table', cwd=tmp_path)
    assert table.returncode == 0 and table.stdout.split()[:8] == ['path', 'face', 'x', 'y', 'w', 'h', 'label', 'p_male']

def test_a_photo_gives_each_face_its_box(tmp_path):
    data = make_celeba_fixture(tmp_path/'celeba', n=(4, 2, 2))
    res = _predict(data/'img_align_celeba'/'000001.jpg', '--format', 'json', cwd=tmp_path)  # the fixture's cartoon faces are found
    assert res.returncode == 0, res.stderr
    face = json.loads(res.stdout)[0]
    assert all(isinstance(face[k], int) for k in 'xywh') and 0 <= face['x'] < 178 and 0 < face['w'] <= 178, face

def test_an_empty_folder_is_an_error(tmp_path):
    (tmp_path/'empty').mkdir()
    res = _predict(tmp_path/'empty', cwd=tmp_path)
    assert (res.returncode, res.stderr.strip()) == (1, f"no images found in {tmp_path/'empty'}")

def test_no_face_is_reported_not_fatal(tmp_path):
    from PIL import Image
    Image.fromarray(np.full((200, 160, 3), 90, np.uint8)).save(tmp_path/'wall.png')
    res = _predict(tmp_path/'wall.png', cwd=tmp_path)
    assert res.returncode == 0
    assert res.stderr.strip() == f"{tmp_path/'wall.png'}: no face found"
    assert res.stdout.splitlines() == ['path,face,x,y,w,h,label,p_male']

def test_missing_model_is_one_clear_line(tmp_path):
    res = _predict(tmp_path/'x.jpg', '--model', tmp_path/'nomodel', cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == f"error: {tmp_path/'nomodel'}: no model.json (not a saved gender_nbdev model)"

def test_prediction_imports_no_torch(tmp_path):
    "Importing the inference module and predicting through the Python API runs on ONNX Runtime: torch, fastai and pandas stay out."
    data = make_celeba_fixture(tmp_path/'celeba', n=(2, 1, 1))
    code = ("import sys; from gender_nbdev.inference import GenderPredictor, iter_predictions; "
            "heavy = lambda: sorted({'torch', 'fastai', 'pandas'} & set(sys.modules)); before = heavy(); "
            f"rows = list(iter_predictions([{str(data/'img_align_celeba'/'000001.jpg')!r}], GenderPredictor(), detect=False)); "
            "print(before, heavy(), rows[0]['label'])")
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=dict(os.environ, GENDER_NBDEV_CACHE=str(tmp_path/'cache')))
    assert res.returncode == 0, res.stderr
    assert res.stdout.split()[:4] in (['[]', '[]', 'female'], ['[]', '[]', 'male']), res.stdout
