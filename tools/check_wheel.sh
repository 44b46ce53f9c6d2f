#!/usr/bin/env bash
# What `pip install` users get, checked for real: build the wheel, install it into a fresh virtual
# environment with no constraints file and nothing borrowed (pip resolves today's newest releases),
# print the versions it resolved, then run the commands as a user does: predict on a photo, predict
# on an aligned image with --no-detect, train for one epoch, and evaluate that model. The data is the
# project's synthetic fixture; the photo is a real one from ../shared/data when that folder exists.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
.venv/bin/python -m build --wheel --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$work"/dist/gender_nbdev-*.whl
echo "clean venv resolved: $("$work/venv/bin/python" -m pip list --format=freeze --disable-pip-version-check |
  grep -iE '^(fastai|fastcore|fasttransform|fastprogress|torch|torchvision|numpy|pandas|pillow|matplotlib|safetensors|dlib-bin|onnxruntime|onnx)==' | tr '\n' ' ')"
cd "$work"
export GENDER_NBDEV_CACHE="$work/cache" PATH="$work/venv/bin:$PATH"
python -c "from gender_nbdev.data import make_celeba_fixture; make_celeba_fixture('celeba', n=(120, 30, 30))"
photo=$(ls "$root"/../shared/data/celeba-photos-dev/images/*.jpg 2>/dev/null | head -1 || true)
set -x
gender_nbdev_predict "${photo:-celeba/img_align_celeba/000001.jpg}" --format table
gender_nbdev_predict celeba/img_align_celeba/000001.jpg --no-detect
# a large photo: searched whole and in tiles, fitted (not letterboxed) to the detector, whose ONNX files take any height and width
python -c "import sys; from PIL import Image; c = Image.new('RGB', (1280, 960), (90, 110, 100)); c.paste(Image.open(sys.argv[1]).convert('RGB').resize((320, 320)), (480, 320)); c.save('large.jpg')" "${photo:-celeba/img_align_celeba/000001.jpg}"
faces=$(gender_nbdev_predict large.jpg --format csv | tail -n +2 | wc -l)
[ -z "$photo" ] || [ "$faces" -ge 1 ]  # (the fixture's cartoon faces are not always faces to BlazeFace)
gender_nbdev_train --data celeba --out model --epochs 1 --size 32 --bs 16 --context 1 >train.log
gender_nbdev_evaluate --data celeba --model model --out metrics.json >/dev/null
python -c "import json; m = json.load(open('metrics.json')); assert m['n'] == 30, m; print('evaluated', m['n'], 'test images, accuracy', m['accuracy'])"
# prediction runs on ONNX Runtime: the Python API predicts a photo without importing torch, fastai or pandas
python - "${photo:-celeba/img_align_celeba/000001.jpg}" <<'PY'
import sys
from gender_nbdev.inference import GenderPredictor, iter_predictions
rows = list(iter_predictions([sys.argv[1]], GenderPredictor(), workers=0))
heavy = sorted({'torch', 'fastai', 'pandas'} & set(sys.modules))
assert not heavy and 'onnxruntime' in sys.modules, heavy
print('predicted', rows[0]['label'], 'with ONNX Runtime; torch, fastai, pandas not imported')
PY
