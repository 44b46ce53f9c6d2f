"""How the shipped recipe was chosen: each step of the recipe trained on its own, then scored on the
labelled photo dev sets (never trained on), side by side.

    .venv/bin/python tools/recipe_experiments.py --data ../shared/data/celeba-6k ../shared/data/celeba-half-10k \
        --photos ../shared/data/celeba-photos-dev ../shared/data/utkface-dev --runs runs/recipe --out bench/recipe.json

Every experiment is a `gender_nbdev_train` run (`train_gender_model`) with the recipe written beside
it, trained on all `--data` folders unless it says otherwise, then `gender_nbdev_evaluate --photos`
(`evaluate_photos`) on each `--photos` folder. A finished run (its model.json exists) is scored
again, not retrained; name experiments on the command line to run only those. The scores per
experiment: CelebA valid accuracy (the partition training keeps its best epoch by), and for each
photo folder the balanced accuracy and the recall of each class, of adults when the labels have
ages, with the worst race x label cell and the recall by age band. Runs are single seeds: a
difference under a point or so is within what another seed gives."""
from __future__ import annotations
import argparse, json, re
from pathlib import Path

from gender_nbdev.train import Recipe, train_gender_model
from gender_nbdev.evaluate import evaluate_photos, photo_items
from gender_nbdev.inference import GenderPredictor

EPOCHS = 25  # each experiment's budget (the shipped model trains longer)
EXPERIMENTS = {  # name: (what changes, recipe fields, trained on the first --data folder only); each builds on the ones above it
    'celeba-6k, centre crop': ("celeba-6k only, CelebA's central crop: the recipe before this round", dict(align='centre'), True),
    '+ celeba-half-10k': ('both folders: 29 times the people', dict(align='centre'), False),
    '+ landmark framing': ('training faces framed by their landmarks, as photos are', dict(), False),
    '+ photo effects': ('lower resolution, blur, grey, colour casts (p=0.3 each)', dict(photo=0.3), False),
    '+ edge bands': ('black bands where a photo would end (p=0.3)', dict(photo=0.3, bands=0.3), False),
    'tighter crop 0.85': ("as + edge bands, with a crop 0.85 of CelebA's side: less hair and background", dict(photo=0.3, bands=0.3, crop=0.85), False),
    'tighter crop 0.7': ("as + edge bands, with a crop 0.7 of CelebA's side", dict(photo=0.3, bands=0.3, crop=0.7), False),
    'edge bands 0.5': ('as + edge bands, with bands on half the faces', dict(photo=0.3, bands=0.5), False),
}

def summary(report:dict) -> dict:
    "The headline of a `photo_report`: adults' (when there are ages) balanced accuracy and recalls, the worst race cell, recall by age band."
    head = report.get('adults', report['all'])
    res = {k: head[k] for k in ('n', 'faces_found', 'balanced_accuracy', 'recall_female', 'recall_male')} | dict(ci95=head['ci95']['balanced_accuracy'])
    if 'by_race' in report:
        worst = min(report['by_race'], key=lambda r: r['accuracy'])
        res['worst_race_cell'] = f"{worst['race']} {worst['label']}: {worst['accuracy']:.1%}"
    if 'by_age_band' in report: res['by_age_band'] = {f"{r['age_band']} {r['label']}": r['accuracy'] for r in report['by_age_band']}
    return res

def run(name:str, data:list, photos:list, runs:Path) -> dict:
    "Train the experiment `name` (unless done) and score it."
    what, fields, first_only = EXPERIMENTS[name]
    recipe, out = Recipe(epochs=EPOCHS, **fields), runs/re.sub(r'[^a-z0-9.]+', '-', name.lower()).strip('-')
    if not (out/'model.json').exists(): train_gender_model(data[:1] if first_only else data, out, recipe)
    meta, predictor = json.loads((out/'model.json').read_text()), GenderPredictor(out)
    scores = {Path(p).name: summary(evaluate_photos(photo_items(p), predictor)[0]) for p in photos}
    return dict(what=what, recipe=fields, data=[Path(d).name for d in (data[:1] if first_only else data)], epochs=recipe.epochs,
                valid_accuracy=round(meta['metrics']['valid']['accuracy'], 4), train_seconds=round(meta['metrics']['seconds']), **scores)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', nargs='+', required=True, help='CelebA folders to train on')
    ap.add_argument('--photos', nargs='+', required=True, help='labelled photo folders to score on (never trained on)')
    ap.add_argument('--runs', type=Path, default=Path('runs/recipe'), help='where the trained models go')
    ap.add_argument('--out', type=Path, help='the JSON of all experiments (updated in place)')
    ap.add_argument('names', nargs='*', help=f'experiments to run (default: all): {", ".join(EXPERIMENTS)}')
    args = ap.parse_args()
    results = json.loads(args.out.read_text()) if args.out and args.out.exists() else {}
    for name in args.names or EXPERIMENTS:
        results[name] = run(name, args.data, args.photos, args.runs)
        print(json.dumps({name: results[name]}), flush=True)
        if args.out: args.out.write_text(json.dumps({k: results[k] for k in EXPERIMENTS if k in results}, indent=1) + '\n')

if __name__ == '__main__': main()
