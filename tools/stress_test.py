"""Stress tests and side-by-side accuracy of saved models on labelled photo folders.

Each photo is degraded as photos in the wild are (darkened, colour-cast, blurred, at low
resolution, heavily JPEG-compressed, a quarter of the face covered), its faces are found once per
condition, and every model predicts the same framed faces: the models differ only in their weights.
Scores are balanced accuracy and recall per class with 95% bootstrap intervals over people (where
the labels name them); with ages, also by age band (0-4, 5-12, 13-17, 18-39, 40-64, 65+) and, for
adults, by race x gender.

    python tools/stress_test.py --photos ../shared/data/celeba-photos-dev --models shipped runs/mix-v1 \
        --conditions clean,dark,cast,blur,lowres,jpeg,occluded --max-items 800 --out stress.json
"""
from __future__ import annotations
import argparse, io, json, multiprocessing, os, sys, time
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from gender_nbdev.core import InputError, report_input_errors, DEFAULT_SEED, VOCAB
from gender_nbdev.data import open_rgb
from gender_nbdev.faces import face_finder, align_face
from gender_nbdev.sources import training_items, photo_source_items

def darken(img:Image.Image, rng) -> Image.Image:
    "A dim photo: a third of the light, a little gamma."
    return Image.eval(ImageEnhance.Brightness(img).enhance(0.35), lambda v: int(255 * (v / 255) ** 1.15))

def colour_cast(img:Image.Image, rng) -> Image.Image:
    "Tungsten or shade light: the channels scaled unevenly (warm or cool, chosen per photo)."
    gains = (1.25, 1.0, 0.65) if rng.random() < 0.5 else (0.7, 0.95, 1.3)
    a = np.asarray(img, dtype=np.float32) * np.array(gains, dtype=np.float32)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))

def blur(img:Image.Image, rng) -> Image.Image:
    "Out of focus or moving: a Gaussian blur of 1.5% of the photo's side."
    return img.filter(ImageFilter.GaussianBlur(0.015 * max(img.size)))

def low_resolution(img:Image.Image, rng) -> Image.Image:
    "A face far from the camera: the photo shrunk to 48 px on its long side, then scaled back up."
    f = 48 / max(img.size)
    small = img.resize((max(1, round(img.width * f)), max(1, round(img.height * f))), Image.Resampling.BILINEAR)
    return small.resize(img.size, Image.Resampling.BILINEAR)

def jpeg(img:Image.Image, rng, quality:int=10) -> Image.Image:
    "A photo sent through a messenger: JPEG at quality 10."
    buf = io.BytesIO()
    img.save(buf, 'JPEG', quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert('RGB')

def occlude(img:Image.Image, rng) -> Image.Image:
    "A quarter of the face covered (a hand, a cup, a scarf): one quadrant of the photo's central face area in grey."
    w, h = img.size
    side = 0.5 * min(w, h)  # the face fills most of these photos: half its central square is a quarter of the face
    x0, y0 = w / 2 - side * (rng.random() < 0.5), h / 2 - side * (rng.random() < 0.5)
    out = img.copy()
    ImageDraw.Draw(out).rectangle((x0, y0, x0 + side, y0 + side), fill=(128, 128, 128))
    return out

CONDITIONS = dict(clean=lambda img, rng: img, dark=darken, cast=colour_cast, blur=blur, lowres=low_resolution, jpeg=jpeg, occluded=occlude)

NOSE_DEPTH = 0.32  # depth of dlib's nose point in front of the eyes, in interocular distances (about 20 mm of 63 mm)

def yaw_degrees(landmarks) -> float:
    "A rough head turn from dlib's five points: how far the nose sits off the eyes' midpoint, along the eye line, for a nose `NOSE_DEPTH` deep."
    p = np.asarray(landmarks, float)
    right, left = p[:2].mean(0), p[2:4].mean(0)
    e = right - left
    d = np.dot(p[4] - (right + left) / 2, e) / np.dot(e, e)
    return float(np.degrees(np.arctan(d / NOSE_DEPTH)))

def _crops(job:tuple) -> list:
    "Worker: for each (path, condition, seed) the degraded photo's largest face framed by `framing` at `size` (an array) and its estimated turn, or (None, nan)."
    rows, framing, size = job
    import torch; torch.set_num_threads(1)
    imgs = [CONDITIONS[c](open_rgb(p), np.random.default_rng(s)) for p, c, s in rows]
    found = face_finder().find_many([np.asarray(i) for i in imgs])
    return [(np.asarray(align_face(i, f[0], framing, size)), yaw_degrees(f[0].landmarks)) if f else (None, np.nan) for i, f in zip(imgs, found)]

def faces_for(table:pd.DataFrame, conditions:list, framing, size:int, workers:int=2, chunk:int=16) -> pd.DataFrame:
    "One row per (photo, condition): the photo's columns, `condition` and `face` (its framed largest face, or None)."
    rows = [(p, c, DEFAULT_SEED + i) for c in conditions for i, p in enumerate(table.path)]
    jobs = [(rows[i:i + chunk], framing, size) for i in range(0, len(rows), chunk)]
    ctx = multiprocessing.get_context('fork')
    with ctx.Pool(workers) as pool: faces = [f for fs in pool.imap(_crops, jobs) for f in fs]
    out = pd.concat([table.assign(condition=c) for c in conditions], ignore_index=True)
    return out.assign(face=[f for f, _ in faces], yaw=[y for _, y in faces])

def model_predictions(faces:pd.DataFrame, predictor) -> pd.DataFrame:
    "`faces` with found, p_male, prediction and correct columns from `predictor` (a photo without a face counts as wrong)."
    found = faces.face.notna().values
    p = np.full(len(faces), np.nan)
    idx = np.flatnonzero(found)
    for i in range(0, len(idx), 512): p[idx[i:i + 512]] = predictor.probs(list(faces.face.values[idx[i:i + 512]]))
    pred = np.where(found, np.where(p >= 0.5, VOCAB[1], VOCAB[0]), None)
    return faces.drop(columns='face').assign(found=found, p_male=p, prediction=pred, correct=pred == faces.label.values)

def scores(table:pd.DataFrame) -> dict:
    "`photo_report`: balanced accuracy and recall per class with intervals; by age band and race x gender where known."
    from gender_nbdev.evaluate import photo_report
    return photo_report(table)

def photos_per_second(paths:list, predictors:dict, n:int=300) -> dict:
    "End-to-end photos per second (open, find, frame, predict) of each model on the same `n` photos, in one run, alternating twice."
    from gender_nbdev.inference import predict_gender
    rates = {k: [] for k in predictors}
    for _ in range(2):
        for k, pr in predictors.items():
            start = time.perf_counter(); predict_gender([Path(p) for p in paths[:n]], pr)
            rates[k].append(n / (time.perf_counter() - start))
    return {k: round(max(v), 1) for k, v in rates.items()}

def photo_table(folder:str, max_items:int|None, seed:int=DEFAULT_SEED) -> pd.DataFrame:
    "A labelled photo folder's rows (a random sample of `max_items`), with identity where the labels have it."
    t = photo_source_items(folder, n_typical=0)
    if 'identity' in t and t.identity.equals(t.image_id): t = t.drop(columns='identity')
    return t.sample(max_items, random_state=seed).reset_index(drop=True) if max_items and len(t) > max_items else t

def main(args=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--photos', nargs='+', required=True, help='labelled photo folders (labels.csv, images/)')
    p.add_argument('--models', nargs='+', default=['shipped'], help="saved model folders ('shipped': the package's model)")
    p.add_argument('--conditions', default='clean', help=f"comma separated, of: {', '.join(CONDITIONS)}")
    p.add_argument('--max-items', type=int, default=None, help='a random sample of this many photos per folder')
    p.add_argument('--speed', type=int, default=0, help='also time end-to-end prediction on this many photos of the first folder')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--out', default='stress.json')
    a = p.parse_args(args)
    with report_input_errors():
        from gender_nbdev.inference import GenderPredictor
        from gender_nbdev.evaluate import model_id
        conditions = a.conditions.split(',')
        if set(conditions) - set(CONDITIONS): raise InputError(f"--conditions {a.conditions!r}: expected some of {', '.join(CONDITIONS)}")
        predictors = {m: GenderPredictor(None if m == 'shipped' else m) for m in a.models}
        groups = {}  # models that frame faces alike share their faces
        for m, pr in predictors.items(): groups.setdefault((repr(pr.framing), pr.size), []).append(m)
        res = dict(models={m: model_id(pr) for m, pr in predictors.items()}, results={})  # each model's folder and weights' hash
        for folder in a.photos:
            start, table = time.time(), photo_table(folder, a.max_items)
            for names in groups.values():
                faces = faces_for(table, conditions, predictors[names[0]].framing, predictors[names[0]].size, a.workers)
                for m in names: preds = model_predictions(faces, predictors[m]); _record(res, folder, m, preds, conditions)
            print(f"{Path(folder).name}: {len(table):,} photos x {len(conditions)} conditions in {time.time() - start:.0f} s", flush=True)
        if a.speed: res['photos_per_second'] = photos_per_second(photo_table(a.photos[0], None).path.tolist(), predictors, a.speed)
        Path(a.out).write_text(json.dumps(res, indent=1))
        print(summary(res))

def _record(res:dict, folder:str, model:str, preds:pd.DataFrame, conditions:list):
    "Scores of `model` under each condition (and on the clean photos' faces turned more than 30 degrees) into `res`."
    for c in conditions: res['results'].setdefault(Path(folder).name, {}).setdefault(c, {})[model] = scores(preds[preds.condition == c])
    turned = preds[(preds.condition == 'clean') & (preds.yaw.abs() > 30)]
    if len(turned): res['results'][Path(folder).name].setdefault('turned>30', {})[model] = scores(turned)

def summary(res:dict) -> str:
    "A markdown table: balanced accuracy (95% interval) and recall per class of each model, per folder and condition."
    lines = ['| folder | condition | model | balanced | interval | female | male |', '|---|---|---|---|---|---|---|']
    for folder, conds in res['results'].items():
        for c, models in conds.items():
            for m, s in models.items():
                a = s['all']; ci = a['ci95'].get('balanced_accuracy', [np.nan, np.nan])
                lines.append(f"| {folder} | {c} | {m} | {a['balanced_accuracy']:.3f} | {ci[0]:.3f}-{ci[1]:.3f} | {a['recall_female']:.3f} | {a['recall_male']:.3f} |")
    return '\n'.join(lines)

if __name__ == '__main__': main()
